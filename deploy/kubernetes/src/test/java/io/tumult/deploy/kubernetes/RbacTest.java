package io.tumult.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;

/**
 * Least privilege: each ServiceAccount's rendered RBAC grants every API call its code makes and nothing more; the
 * scheduler and the guardian have no API access at all. The calls come from {@link ObservedApiCalls}.
 */
class RbacTest {

    static final List<String> OVERLAYS = Manifests.OVERLAYS;
    static final Map<String, String> NAMESPACE = Map.of("dev", "tumult-dev", "production", "tumult");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldGrantEachExecutorRoleExactlyTheCallsItsCodeMakes(String overlay) {
        // Given
        var checker = new RbacChecker(Manifests.overlay(overlay));
        Map<String, List<ApiCall>> calls = ObservedApiCalls.fromFixture();

        // When
        var cluster = checker.check(NAMESPACE.get(overlay), "tumult-executor", calls.get("tumult-executor"));
        var agent = checker.check(NAMESPACE.get(overlay), "tumult-node-agent", calls.get("tumult-node-agent"));

        // Then
        assertThat(cluster.exact()).as("cluster executor: %s", cluster).isTrue();
        assertThat(agent.exact()).as("node agent: %s", agent).isTrue();
        assertThat(checker.boundServiceAccounts()).containsExactlyInAnyOrder(
                NAMESPACE.get(overlay) + "/tumult-executor", NAMESPACE.get(overlay) + "/tumult-node-agent");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldGiveTheSchedulerAndTheGuardianNoApiAccessAndNoToken(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        var checker = new RbacChecker(objects);

        // Then
        for (String account : List.of("tumult-scheduler", "tumult-guardian")) {
            assertThat(checker.grants(NAMESPACE.get(overlay), account)).as(account).isEmpty();
            assertThat(Manifests.named(objects, ServiceAccount.class, account).getAutomountServiceAccountToken())
                    .as("%s automounts no token", account).isFalse();
            PodTemplateSpec pod = ManifestsTest.templates(objects).stream()
                    .filter(t -> account.equals(t.getSpec().getServiceAccountName())).findFirst().orElseThrow();
            assertThat(pod.getSpec().getAutomountServiceAccountToken()).as("%s's pods mount no token", account)
                    .isFalse();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldListInTheCallsFileExactlyTheCallsTheExecutorsTestsSawItsCodeMakeAndGrantThem(String overlay) {
        // Given: what the executor's mock-server tests recorded (a full build runs them before this module)
        Map<String, List<ApiCall>> recorded = ObservedApiCalls.recordedByExecutorTests();
        Assumptions.assumeFalse(recorded.isEmpty(), "no " + ObservedApiCalls.RECORDED
                + ": run the executor's tests first (./mvnw verify from the root does)");
        var checker = new RbacChecker(Manifests.overlay(overlay));
        Map<String, List<ApiCall>> listed = ObservedApiCalls.fromFixture();

        // When / Then
        assertThat(recorded.keySet()).containsExactlyInAnyOrder("tumult-executor", "tumult-node-agent");
        for (var account : recorded.entrySet()) {
            var report = checker.check(NAMESPACE.get(overlay), account.getKey(), account.getValue());
            assertThat(report.notGranted()).as("%s: calls its code made in tests that its RBAC does not grant",
                    account.getKey()).isEmpty();
            var inFile = listed.get(account.getKey()).stream().map(RbacTest::shape).toList();
            assertThat(account.getValue().stream().map(RbacTest::shape).distinct())
                    .as("%s: calls made in tests and missing from api-calls.tsv", account.getKey())
                    .allSatisfy(call -> assertThat(inFile).contains(call));
            // and no more: each listed call (so each grant, which the first test matches to the list) was seen made
            var made = account.getValue().stream().map(RbacTest::shape).distinct().toList();
            assertThat(inFile).as("%s: calls in api-calls.tsv that no executor test saw its code make (a grant"
                    + " nothing needs, or a call no test covers; a partial run of the executor's tests records only"
                    + " part: run them all)", account.getKey()).allSatisfy(call -> assertThat(made).contains(call));
        }
    }

    /** A call as api-calls.tsv lists it: in a target's namespace (whichever) or cluster-wide. */
    private static String shape(ApiCall call) {
        return call.verb() + " " + call.apiGroup() + "/" + call.resourceName()
                + (call.namespace() == null ? " cluster-wide" : " namespaced");
    }

    @Test
    void shouldReportACallNotGrantedAndAGrantNeverCalled() {
        // Given
        var checker = new RbacChecker(rbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: r}
                rules:
                  - {apiGroups: [""], resources: [pods], verbs: [get, delete]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: b}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
                subjects: [{kind: ServiceAccount, name: sa, namespace: ns}]
                """));
        var calls = List.of(new ApiCall("get", "", "pods", null, "shop"),
                new ApiCall("create", "", "pods", "eviction", "shop"));

        // When
        var report = checker.check("ns", "sa", calls);

        // Then
        assertThat(report.notGranted()).containsExactly(new ApiCall("create", "", "pods", "eviction", "shop"));
        assertThat(report.unused()).extracting(RbacChecker.Grant::verb).containsExactly("delete");
    }

    @Test
    void shouldGrantARoleBindingOnlyInItsNamespaceAndCountAWildcardAsUnjustified() {
        // Given
        var checker = new RbacChecker(rbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: r, namespace: shop}
                rules:
                  - {apiGroups: [""], resources: [pods], verbs: [list]}
                  - {apiGroups: [apps], resources: ["*"], verbs: ["*"]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: b, namespace: shop}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
                subjects: [{kind: ServiceAccount, name: sa, namespace: ns}]
                """));
        var calls = List.of(new ApiCall("list", "", "pods", null, "shop"),
                new ApiCall("list", "", "pods", null, "other"), new ApiCall("list", "", "pods", null, null));

        // When
        var report = checker.check("ns", "sa", calls);

        // Then
        assertThat(report.notGranted()).containsExactly(new ApiCall("list", "", "pods", null, "other"),
                new ApiCall("list", "", "pods", null, null));
        assertThat(report.unused()).extracting(RbacChecker.Grant::resource).containsExactly("*");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GET    | /api/v1/namespaces/shop/pods/cart-1                              | get    |                   | pods        |          | shop",
            "GET    | /api/v1/namespaces/shop/pods?labelSelector=app%3Dcart            | list   |                   | pods        |          | shop",
            "GET    | /api/v1/pods?fieldSelector=spec.nodeName%3Dn1&watch=true         | watch  |                   | pods        |          |",
            "DELETE | /api/v1/namespaces/shop/pods/cart-1                              | delete |                   | pods        |          | shop",
            "POST   | /api/v1/namespaces/shop/pods/cart-1/eviction                     | create |                   | pods        | eviction | shop",
            "PATCH  | /api/v1/nodes/n1                                                 | patch  |                   | nodes       |          |",
            "GET    | /api/v1/namespaces/shop                                          | get    |                   | namespaces  |          |",
            "GET    | /api/v1/namespaces                                               | list   |                   | namespaces  |          |",
            "PUT    | /apis/apps/v1/namespaces/shop/deployments/web/scale              | update | apps              | deployments | scale    | shop",
            "POST   | /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies       | create | networking.k8s.io | networkpolicies |      | shop",
            "GET    | /apis/policy/v1/namespaces/shop/poddisruptionbudgets             | list   | policy            | poddisruptionbudgets | | shop" })
    void shouldReadTheCallAMockServerRequestMakes(String method, String path, String verb, String group,
            String resource, String subresource, String namespace) {
        // When
        ApiCall call = ApiCall.fromRequest(method, path);

        // Then
        assertThat(call).isEqualTo(new ApiCall(verb, group == null ? "" : group, resource, subresource, namespace));
    }

    private static List<HasMetadata> rbac(String yaml) {
        return Manifests.load(yaml);
    }
}
