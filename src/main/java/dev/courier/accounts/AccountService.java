package dev.courier.accounts;

import dev.courier.config.SessionConfig;
import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Registration, login, logout and token checks. */
public final class AccountService {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.-]{3,32}");

    /** The answer to a successful login. */
    public record LoginResult(String token, Instant expiresAt, User user) {
    }

    /** Where a login came from, as the session list shows it. */
    public record Origin(String userAgent, String address) {

        /** At most this many characters of a user agent are kept: it is the client's to choose. */
        static final int MAX_USER_AGENT = 256;

        public Origin {
            if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
                userAgent = userAgent.substring(0, MAX_USER_AGENT);
            }
        }
    }

    private final Database db;
    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordHasher hasher;
    private final SessionTokens tokens = new SessionTokens();
    private final SessionConfig config;
    private final SessionCache cache;
    private final SessionRevocation revocation;
    private final SessionActivity activity;
    private final SessionLookups lookups;

    AccountService(Database db, UserStore users, SessionStore sessions, PasswordHasher hasher, SessionConfig config,
                   SessionCache cache, SessionRevocation revocation, SessionActivity activity,
                   SessionLookups lookups) {
        this.lookups = lookups;
        this.db = db;
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.config = config;
        this.cache = cache;
        this.revocation = revocation;
        this.activity = activity;
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

    public LoginResult login(String rawUsername, String password, Origin origin) {
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
        // only once the password was right: a deactivated account is not told apart from a wrong password before
        if (found.get().deactivated()) {
            throw ApiException.of(ErrorCode.ACCOUNT_DEACTIVATED, "this account was deactivated by an operator");
        }
        User user = found.get().user();
        String token = tokens.newToken();
        Instant expiresAt = Instant.now().plus(config.ttl()).truncatedTo(ChronoUnit.SECONDS);
        db.withHandle("sessions.create", h -> {
            sessions.insert(h, SessionTokens.hash(token), user.id(), expiresAt, origin.userAgent(), origin.address());
            return null;
        });
        return new LoginResult(token, expiresAt, user);
    }

    public Optional<Session> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        byte[] hash = SessionTokens.hash(token);
        Optional<Session> session = cache.find(hash, forgottenBefore -> lookups.active(hash, forgottenBefore));
        if (session.isPresent()) {
            if (session.get().deactivated()) {
                throw ApiException.of(ErrorCode.ACCOUNT_DEACTIVATED, "this account was deactivated by an operator");
            }
            activity.used(hash);
        }
        return session;
    }

    /**
     * Returns once the token no longer passes on this node and the bus has carried the revocation to the others
     * (see {@link SessionRevocation}). The user's other sessions are unaffected.
     */
    public void logout(Session session) {
        db.withHandle("sessions.revoke", h -> {
            sessions.delete(h, session.tokenHash());
            return null;
        });
        revocation.revoked(session.user().id(), session.tokenHash());
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

    /** The user as stored now (the session cache may hold it as it was a few seconds ago). */
    public User me(long userId) {
        return db.withHandle("users.me", h -> users.byId(h, userId))
                .orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token"));
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
