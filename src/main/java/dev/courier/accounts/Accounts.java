package dev.courier.accounts;

import dev.courier.config.SessionConfig;
import dev.courier.db.Database;
import dev.courier.events.EventSink;
import dev.courier.messages.Tombstones;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The accounts feature as the composition root sees it: its services built on one user store, session store,
 * password hasher and revocation path, so that the pieces that must agree (who revokes what, which cache forgets it)
 * are wired once, here. Closing it stops the background work (session activity, account erasure).
 */
public final class Accounts implements AutoCloseable {

    private final AccountService service;
    private final MyAccount myAccount;
    private final UserAdministration administration;
    private final AccountErasure erasure;
    private final SessionActivity activity;

    public Accounts(Database db, UserStore users, SessionConfig config, EventSink events, SessionCache cache,
                    Tombstones tombstones, MeterRegistry meters) {
        SessionStore sessions = new SessionStore();
        PasswordHasher hasher = new PasswordHasher(config.passwordHashCost());
        SessionRevocation revocation = new SessionRevocation(events, cache);
        this.activity = new SessionActivity(db, sessions);
        this.erasure = new AccountErasure(db, tombstones, true);
        this.service = new AccountService(db, users, sessions, hasher, config, cache, revocation, activity,
                new SessionLookups(db, sessions, meters));
        this.myAccount = new MyAccount(db, users, sessions, hasher, revocation, erasure);
        this.administration = new UserAdministration(db, users, sessions, revocation);
    }

    public AccountService service() {
        return service;
    }

    public MyAccount myAccount() {
        return myAccount;
    }

    public UserAdministration administration() {
        return administration;
    }

    @Override
    public void close() {
        erasure.close();
        activity.close();
    }
}
