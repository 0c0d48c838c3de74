package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import zerotoml.fixtures.ParityLedger;

/**
 * For the harness's own tests (planted bugs, planted reference defects): each test runs its checks
 * whole, whatever {@code -Dzerotoml.replay} or {@code -Dzerotoml.shard} says for the real run, and
 * must leave the parity report untouched. Use with {@code @ExtendWith(OutsideTheRun.class)}.
 */
public final class OutsideTheRun implements BeforeEachCallback, AfterEachCallback {
    private static final String[] PROPERTIES = {"zerotoml.replay", "zerotoml.shard"};
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(OutsideTheRun.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        for (String p : PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) store.put(p, v);
            System.clearProperty(p);
        }
        store.put("rows", ParityLedger.rows().size());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        for (String p : PROPERTIES) {
            String v = store.get(p, String.class);
            if (v == null) System.clearProperty(p);
            else System.setProperty(p, v);
        }
        assertEquals(store.get("rows", Integer.class), ParityLedger.rows().size(), "planted bugs and defects must not reach the parity report");
    }
}
