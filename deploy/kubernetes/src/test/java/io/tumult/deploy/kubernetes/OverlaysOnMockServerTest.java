package io.tumult.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.tumult.local.LocalKafka;

/**
 * Each overlay renders with {@code kubectl kustomize}, every object loads as fabric8's model of its kind (Strimzi's
 * KafkaTopic as a generic resource) and is created on fabric8's mock server in CRUD mode and read back unchanged. What
 * the mock cannot show: that a real API server admits them (validation of every field, Pod Security admission, the
 * Strimzi CRD's schema, RBAC escalation checks).
 */
@EnableKubernetesMockClient(crud = true)
class OverlaysOnMockServerTest {

    KubernetesClient client; // a fresh mock server per test: both overlays hold the same cluster-scoped names

    static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldLoadEveryObjectAsItsKindAndCreateItOnTheMockServer(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        var created = new ArrayList<HasMetadata>();
        for (HasMetadata object : objects) {
            created.add(object instanceof GenericKubernetesResource generic
                    ? client.genericKubernetesResources(Manifests.KAFKA_TOPIC)
                            .inNamespace(generic.getMetadata().getNamespace()).resource(generic).create()
                    : client.resource(object).create());
        }

        // Then
        assertThat(objects).as("only Strimzi's KafkaTopic is unknown to fabric8's model")
                .filteredOn(GenericKubernetesResource.class::isInstance)
                .allSatisfy(o -> assertThat(o.getKind()).isEqualTo("KafkaTopic"));
        assertThat(Manifests.kafkaTopics(objects)).hasSize(LocalKafka.TOPICS.size());
        for (HasMetadata object : objects) {
            HasMetadata stored = object instanceof GenericKubernetesResource
                    ? client.genericKubernetesResources(Manifests.KAFKA_TOPIC).inNamespace(object.getMetadata()
                            .getNamespace()).withName(object.getMetadata().getName()).get()
                    : client.resource(object).get();
            assertThat(stored).as("%s %s on the mock server", object.getKind(), object.getMetadata().getName())
                    .isNotNull();
            assertThat(withoutMetadata(stored)).isEqualTo(withoutMetadata(object));
        }
        assertThat(created).hasSameSizeAs(objects);
    }

    /** The object as JSON, without the metadata the server fills in (uid, resourceVersion, creationTimestamp). */
    private static Map<String, Object> withoutMetadata(HasMetadata object) {
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = Serialization.unmarshal(Serialization.asJson(object), Map.class);
        tree.remove("metadata");
        return tree;
    }
}
