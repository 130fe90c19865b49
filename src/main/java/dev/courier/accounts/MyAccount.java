package dev.courier.accounts;

import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.util.List;

/**
 * What users do to their own account: the display name, the password, the sessions, and deleting it all. A password
 * is checked (and a new one hashed) before any connection is taken, as at login.
 */
public final class MyAccount {

    private final Database db;
    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordHasher hasher;
    private final SessionRevocation revocation;
    private final AccountErasure erasure;

    MyAccount(Database db, UserStore users, SessionStore sessions, PasswordHasher hasher, SessionRevocation revocation,
              AccountErasure erasure) {
        this.db = db;
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.revocation = revocation;
        this.erasure = erasure;
    }

    public User rename(Session session, String displayName) {
        TextRules.requireLength("displayName", displayName, 1, 64);
        // Every node's session cache keeps the user as it was for up to SessionCache.MAX_AGE; what shows a user to
        // anyone (GET /v1/me included) reads the table, so the new name shows at once.
        return db.withHandle("accounts.rename", h -> users.rename(h, session.user().id(), displayName))
                .orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token"));
    }

    /**
     * Sets a new password and revokes every other session of the user, on every node, before answering: whoever else
     * held a token (a stolen one included) is out once this returns.
     */
    public void changePassword(Session session, String currentPassword, String newPassword) {
        TextRules.requireLength("newPassword", newPassword, 8, 128);
        requirePassword(session, currentPassword);
        String hash = hasher.hash(newPassword);
        long userId = session.user().id();
        db.inTransaction("accounts.changePassword", h -> {
            users.setPasswordHash(h, userId, hash);
            sessions.deleteAllOf(h, userId, session.tokenHash());
            return null;
        });
        revocation.allRevoked(userId, session.tokenHash());
    }

    public List<SessionInfo> sessions(Session session) {
        return db.withHandle("sessions.list", h -> sessions.listOf(h, session.user().id(), session.tokenHash()));
    }

    /** Revokes one of the caller's own sessions (the current one included); another user's id is not found. */
    public void revokeSession(Session session, long sessionId) {
        long userId = session.user().id();
        byte[] tokenHash = db.withHandle("sessions.revokeOne", h -> sessions.deleteOwn(h, userId, sessionId))
                .orElseThrow(() -> ApiException.notFound("no such session"));
        revocation.revoked(userId, tokenHash);
    }

    /**
     * Deletes the account: in one transaction the username is released, the profile blanked, every session deleted
     * and the erasure of the user's messages recorded; then every session stops passing and every stream closes, and
     * the messages become tombstones in the background ({@link AccountErasure}), which a restart carries on with.
     */
    public void delete(Session session, String password) {
        requirePassword(session, password);
        long userId = session.user().id();
        db.inTransaction("accounts.delete", h -> {
            if (users.markDeleted(h, userId)) {
                sessions.deleteAllOf(h, userId, null);
                erasure.record(h, userId);
            }
            return null;
        });
        revocation.allRevoked(userId, null);
        erasure.wake();
    }

    private void requirePassword(Session session, String password) {
        UserStore.Credentials credentials = db.withHandle("accounts.credentials",
                        h -> users.credentials(h, session.user().id()))
                .orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token"));
        boolean valid = TextRules.isWellFormed(password) && hasher.matches(password, credentials.passwordHash());
        if (!valid) {
            throw ApiException.of(ErrorCode.INVALID_CREDENTIALS, "wrong password");
        }
    }
}
