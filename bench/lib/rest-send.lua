-- wrk: each request a REST send of TOKEN's into conversation CONV, with a fresh clientMsgId (closed loop: one
-- request at a time per connection).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local path = "/v1/conversations/" .. os.getenv("CONV") .. "/messages"

function setup(thread)
  thread:set("seed", math.random(1, 2147483647))
end

function init(args)
  math.randomseed(seed + os.time())
end

local function uuid()
  return (("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"):gsub("[xy]", function(c)
    return string.format("%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end

request = function()
  return wrk.format(nil, path, nil, '{"clientMsgId":"' .. uuid() .. '","body":"closed-loop send"}')
end
