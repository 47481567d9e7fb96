package dev.holdfast.supervisor.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestHost} with an {@link InProcessSupervisor} on it for each test; after the test, closes the
 * supervisor and then the host, the host even when closing the supervisor failed. Register it on an instance field:
 * {@code @RegisterExtension final SupervisorExtension supervisor = new SupervisorExtension();}.
 */
public final class SupervisorExtension implements BeforeEachCallback, AfterEachCallback {
    private TestHost host;
    private InProcessSupervisor sup;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        host = TestHost.create();
        sup = InProcessSupervisor.start(host);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (sup != null) {
                sup.close();
            }
        } finally {
            sup = null;
            if (host != null) {
                host.close();
            }
            host = null;
        }
    }

    public TestHost host() {
        return host;
    }

    /** The running supervisor; null between {@link #stopSupervisor()} and {@link #startSupervisor()}. */
    public InProcessSupervisor sup() {
        return sup;
    }

    /** Closes the supervisor (its tasks keep running), leaving the host as it is. */
    public void stopSupervisor() throws InterruptedException {
        sup.close();
        sup = null;
    }

    /** Starts a new supervisor on the same host, after {@link #stopSupervisor()}. */
    public void startSupervisor() throws Exception {
        sup = InProcessSupervisor.start(host);
    }
}
