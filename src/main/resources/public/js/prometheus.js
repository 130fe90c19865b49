// Reads Prometheus' text exposition format (what /metrics serves) and derives rates and quantiles from two
// scrapes, the way PromQL's rate() and histogram_quantile() do.

/** Parses exposition text into Map(metricName -> [{labels, value}]). Comment and blank lines are skipped. */
export function parsePrometheusText(text) {
  const samples = new Map();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const parsed = parseSampleLine(line);
    if (!parsed) continue;
    let list = samples.get(parsed.name);
    if (!list) {
      list = [];
      samples.set(parsed.name, list);
    }
    list.push({ labels: parsed.labels, value: parsed.value });
  }
  return samples;
}

function parseSampleLine(line) {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return null;
  const name = nameMatch[0];
  let i = name.length;
  const labels = {};
  if (line[i] === '{') {
    i += 1;
    while (i < line.length && line[i] !== '}') {
      const labelMatch = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(i));
      if (!labelMatch) return null;
      i += labelMatch[0].length;
      let value = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) {
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next;
          i += 2;
        } else {
          value += line[i];
          i += 1;
        }
      }
      i += 1; // closing quote
      labels[labelMatch[1]] = value;
      while (line[i] === ',' || line[i] === ' ') i += 1;
    }
    i += 1; // closing brace
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  return Number.isNaN(value) && rest[0] !== 'NaN' ? null : { name, labels, value };
}

function parseValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function seriesKey(labels, without = []) {
  return Object.keys(labels).filter((k) => !without.includes(k)).sort()
      .map((k) => `${k}=${labels[k]}`).join(',');
}

/** Sum of the current values of a gauge across its series, or null when the server does not export it. */
export function gaugeSum(scrape, name, keep = () => true) {
  const list = scrape.get(name);
  if (!list) return null;
  return list.filter((s) => keep(s.labels)).reduce((sum, s) => sum + s.value, 0);
}

/** The first of several names the server exports (names can differ between versions); null when none is. */
export function firstPresent(scrape, names) {
  return names.find((name) => scrape.has(name)) || null;
}

/** Increase of a counter between two scrapes, summed over series; a counter that went down was reset. */
export function counterIncrease(before, after, name, keep = () => true) {
  const now = after.get(name);
  if (!now) return null;
  const then = new Map((before.get(name) || []).map((s) => [seriesKey(s.labels), s.value]));
  let total = 0;
  for (const sample of now) {
    if (!keep(sample.labels)) continue;
    const previous = then.get(seriesKey(sample.labels));
    total += previous === undefined || sample.value < previous ? sample.value : sample.value - previous;
  }
  return total;
}

/** Per-second rate of a counter between two scrapes taken seconds apart. */
export function counterRate(before, after, name, seconds, keep) {
  const increase = counterIncrease(before, after, name, keep);
  return increase === null || seconds <= 0 ? null : increase / seconds;
}

/**
 * Quantiles (e.g. [0.5, 0.95, 0.99]) of a histogram's observations between two scrapes, interpolated within the
 * bucket as histogram_quantile() does; null for each when nothing was observed.
 */
export function histogramQuantiles(before, after, bucketName, quantiles, keep = () => true) {
  const now = after.get(bucketName);
  if (!now) return quantiles.map(() => null);
  const then = new Map((before.get(bucketName) || []).map((s) => [seriesKey(s.labels), s.value]));
  const byBound = new Map();
  for (const sample of now) {
    if (!keep(sample.labels)) continue;
    const previous = then.get(seriesKey(sample.labels));
    const increase = previous === undefined || sample.value < previous ? sample.value : sample.value - previous;
    const bound = parseValue(sample.labels.le);
    byBound.set(bound, (byBound.get(bound) || 0) + increase);
  }
  const buckets = [...byBound.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  if (!total) return quantiles.map(() => null);
  return quantiles.map((q) => {
    const rank = q * total;
    let lowerBound = 0;
    let lowerCount = 0;
    for (const [bound, count] of buckets) {
      if (count >= rank) {
        if (bound === Infinity) return lowerBound; // beyond the largest finite bucket: its bound is all we know
        if (count === lowerCount) return bound;
        return lowerBound + (bound - lowerBound) * ((rank - lowerCount) / (count - lowerCount));
      }
      lowerBound = bound;
      lowerCount = count;
    }
    return lowerBound;
  });
}

/** Groups one metric's series by a label: Map(labelValue -> summed value). */
export function sumByLabel(scrape, name, label) {
  const result = new Map();
  for (const sample of scrape.get(name) || []) {
    const key = sample.labels[label] ?? '';
    result.set(key, (result.get(key) || 0) + sample.value);
  }
  return result;
}
