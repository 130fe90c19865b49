package dev.courier.accounts;

import dev.courier.config.SessionConfig;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registration, login, logout and token checks. */
public final class AccountService {

    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.-]{3,32}");
    /**
     * How long a logout waits for the bus to carry its revocation to the other nodes' session caches. It normally
     * takes milliseconds; the bound keeps a logout from hanging on a bus that is down, when the other nodes forget
     * their cached sessions anyway once their bus connection is back.
     */
    private static final Duration REVOCATION_CARRIED_WITHIN = Duration.ofSeconds(1);

    /** The answer to a successful login. */
    public record LoginResult(String token, Instant expiresAt, User user) {
    }

    private final Database db;
    private final UserStore users;
    private final SessionStore sessions = new SessionStore();
    private final PasswordHasher hasher;
    private final SessionTokens tokens = new SessionTokens();
    private final SessionConfig config;
    private final EventSink events;
    private final SessionCache cache;

    public AccountService(Database db, UserStore users, SessionConfig config, EventSink events, SessionCache cache) {
        this.db = db;
        this.users = users;
        this.config = config;
        this.events = events;
        this.cache = cache;
        this.hasher = new PasswordHasher(config.passwordHashCost());
    }

    public User register(String rawUsername, String password, Optional<String> displayName) {
        String username = normalizeUsername(rawUsername)
                .orElseThrow(() -> ApiException.invalid("username",
                        "username must be 3-32 characters of a-z, 0-9, '_', '.' and '-'"));
        TextRules.requireLength("password", password, 8, 128);
        String shown = displayName.map(d -> TextRules.requireLength("displayName", d, 1, 64)).orElse(username);
        // Hash outside the transaction: it is CPU work and must not hold a connection.
        String hash = hasher.hash(password);
        return db.withHandle("accounts.register", h -> users.insert(h, username, shown, hash))
                .orElseThrow(() -> new ApiException(ErrorCode.USERNAME_TAKEN, "username is taken", "username", 0));
    }

    public LoginResult login(String rawUsername, String password) {
        Optional<UserStore.Credentials> found = normalizeUsername(rawUsername)
                .flatMap(username -> db.withHandle("sessions.lookup", h -> users.credentials(h, username)));
        // No stored password holds a lone surrogate (registration refuses them) and the hash library cannot
        // encode one: such a password is wrong, and costs the same decoy verification as an unknown name.
        boolean encodable = TextRules.isWellFormed(password);
        boolean valid = found.isPresent() && encodable
                ? hasher.matches(password, found.get().passwordHash())
                : hasher.matchesNothing(encodable ? password : "");
        if (!valid) {
            throw ApiException.of(ErrorCode.INVALID_CREDENTIALS, "wrong username or password");
        }
        User user = found.get().user();
        String token = tokens.newToken();
        Instant expiresAt = Instant.now().plus(config.ttl()).truncatedTo(ChronoUnit.SECONDS);
        db.withHandle("sessions.create", h -> {
            sessions.insert(h, SessionTokens.hash(token), user.id(), expiresAt);
            return null;
        });
        return new LoginResult(token, expiresAt, user);
    }

    public Optional<Session> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        byte[] hash = SessionTokens.hash(token);
        return cache.find(hash, () -> db.withHandle("sessions.authenticate", h -> sessions.active(h, hash)));
    }

    /**
     * Returns once the token no longer passes on this node and the bus has carried the revocation to the others
     * (waiting at most {@link #REVOCATION_CARRIED_WITHIN}): the client's next request is then refused on whichever
     * node it reaches, unless it overtakes that node's handling of the revocation by a few milliseconds.
     */
    public void logout(Session session) {
        db.withHandle("sessions.revoke", h -> {
            sessions.delete(h, session.tokenHash());
            return null;
        });
        cache.forget(session.tokenHash());
        // Streams opened with this token close on every node, and every node's cache forgets it; the user's other
        // sessions are unaffected.
        if (!events.publishAndAwaitCarried(new DomainEvent.SessionRevoked(session.user().id(), session.tokenHash()),
                REVOCATION_CARRIED_WITHIN)) {
            log.warn("the bus did not confirm a logout within {} ms; other nodes may accept the token for up to {} s",
                    REVOCATION_CARRIED_WITHIN.toMillis(), SessionCache.MAX_AGE.toSeconds());
        }
    }

    /**
     * Which of the given sessions are still valid, by token hash in hex: for holders of long-lived connections that
     * may have missed a revocation.
     */
    public java.util.Set<String> stillActive(java.util.Collection<String> tokenHashesHex) {
        if (tokenHashesHex.isEmpty()) {
            return java.util.Set.of();
        }
        return db.withHandle("sessions.stillActive", h -> sessions.activeAmong(h, tokenHashesHex));
    }

    public int deleteExpiredSessions() {
        return db.withHandle("sessions.expire", sessions::deleteExpired);
    }

    /** The user, as {@code viewerId} sees it: with presence when the two share a conversation. */
    public Optional<User> byUsername(String rawUsername, long viewerId) {
        return normalizeUsername(rawUsername).flatMap(u -> db.withHandle("users.byUsername",
                h -> users.byUsernameAsSeenBy(h, u, viewerId)));
    }

    static Optional<String> normalizeUsername(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String folded = raw.toLowerCase(Locale.ROOT);
        // toLowerCase(ROOT) may fold non-ASCII letters into ASCII ones (e.g. the Kelvin sign into 'k'); only A-Z may fold.
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0x7f) {
                return Optional.empty();
            }
        }
        return USERNAME.matcher(folded).matches() ? Optional.of(folded) : Optional.empty();
    }
}
