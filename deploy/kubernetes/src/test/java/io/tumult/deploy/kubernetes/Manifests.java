package io.tumult.deploy.kubernetes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The overlays under {@code deploy/kubernetes/overlays}, rendered by {@code kubectl kustomize} and loaded by fabric8. */
final class Manifests {

    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final List<String> OVERLAYS = List.of("dev", "production");

    /** Strimzi's KafkaTopic: no fabric8 model class, so a generic resource of this definition. */
    static final ResourceDefinitionContext KAFKA_TOPIC = new ResourceDefinitionContext.Builder()
            .withGroup("kafka.strimzi.io").withVersion("v1beta2").withKind("KafkaTopic").withPlural("kafkatopics")
            .withNamespaced(true).build();

    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {
    }

    /** {@code kubectl kustomize} of a directory under this module; fails naming kubectl's complaint. */
    static String render(String dir) {
        Path path = MODULE.resolve(dir);
        try {
            Path out = Files.createTempFile("tumult-kustomize-", ".yaml");
            Path err = Files.createTempFile("tumult-kustomize-", ".err");
            try {
                Process kubectl = new ProcessBuilder(kubectl(), "kustomize", path.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!kubectl.waitFor(120, TimeUnit.SECONDS)) {
                    kubectl.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + path + " did not finish in 120 s");
                }
                if (kubectl.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + path + " failed (exit " + kubectl.exitValue()
                            + "): " + Files.readString(err));
                }
                return Files.readString(out);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl (Debian package kubernetes-client): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + path, e);
        }
    }

    /** Every object of a rendered overlay, as fabric8 model objects (KafkaTopic as a generic resource). */
    static List<HasMetadata> load(String yaml) {
        Object loaded = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        if (loaded instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) loaded);
    }

    /** A rendered overlay's objects, fresh each call (rendered once per JVM: kubectl is slow on a busy machine). */
    static List<HasMetadata> overlay(String name) {
        return load(RENDERED.computeIfAbsent("overlays/" + name, Manifests::render));
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return find(objects, type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    static <T extends HasMetadata> Optional<T> find(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    static List<GenericKubernetesResource> kafkaTopics(List<HasMetadata> objects) {
        return all(objects, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals(KAFKA_TOPIC.getKind())).toList();
    }

    private static String kubectl() {
        return Optional.ofNullable(System.getenv("KUBECTL")).orElse("kubectl");
    }
}
