package dev.courier.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.courier.ops.MetricNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes: the base and each overlay, rendered by kustomize (kubectl kustomize, or kustomize, when either
 * is installed; otherwise by this test's own merge of the overlay's patches, which it says), validated offline
 * against the Kubernetes 1.32 JSON schemas (strict: an unknown field fails) and prometheus-operator's CRD schemas,
 * both vendored in src/test/resources/kubernetes-schemas. Then what the schemas cannot know: the probes, the drain,
 * the HPA's metric, and the PrometheusRule being the rules file Courier ships.
 */
class KubernetesManifestsTest {

    private static final Path KUBERNETES = Dist.ROOT.resolve("deploy/kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, String> SCHEMAS = Map.of(
            "v1/ServiceAccount", "v1.32.2-standalone-strict/serviceaccount-v1.json",
            "v1/ConfigMap", "v1.32.2-standalone-strict/configmap-v1.json",
            "v1/Secret", "v1.32.2-standalone-strict/secret-v1.json",
            "v1/Service", "v1.32.2-standalone-strict/service-v1.json",
            "apps/v1/Deployment", "v1.32.2-standalone-strict/deployment-apps-v1.json",
            "policy/v1/PodDisruptionBudget", "v1.32.2-standalone-strict/poddisruptionbudget-policy-v1.json",
            "networking.k8s.io/v1/NetworkPolicy", "v1.32.2-standalone-strict/networkpolicy-networking-v1.json",
            "autoscaling/v2/HorizontalPodAutoscaler",
            "v1.32.2-standalone-strict/horizontalpodautoscaler-autoscaling-v2.json",
            "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/servicemonitor_v1.json",
            "monitoring.coreos.com/v1/PrometheusRule", "monitoring.coreos.com/prometheusrule_v1.json");
    private static final Map<String, Schema> COMPILED = new LinkedHashMap<>();

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/large"})
    void everyRenderedResourceValidatesAgainstItsSchema(String kustomization) throws Exception {
        List<JsonNode> resources = render(kustomization);
        assertThat(resources.stream().map(KubernetesManifestsTest::kind).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(SCHEMAS.keySet());
        for (JsonNode resource : resources) {
            List<com.networknt.schema.Error> errors = schemaFor(resource).validate(resource);
            assertThat(errors).as(kustomization + ": " + kind(resource) + " " + resource.path("metadata").path("name"))
                    .isEmpty();
        }
    }

    @Test
    void theSchemasAreStrictEnoughToCatchAMisspeltFieldAndAWrongType() throws Exception {
        JsonNode deployment = find(render("base"), "apps/v1/Deployment");
        ObjectNode misspelt = deployment.deepCopy();
        ((ObjectNode) misspelt.path("spec")).put("replica", 3);
        assertThat(schemaFor(misspelt).validate(misspelt)).isNotEmpty();
        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.path("spec")).put("replicas", "three");
        assertThat(schemaFor(wrongType).validate(wrongType)).isNotEmpty();
        JsonNode rule = find(render("base"), "monitoring.coreos.com/v1/PrometheusRule").deepCopy();
        ((ObjectNode) rule.path("spec").path("groups").get(0)).remove("name");
        assertThat(schemaFor(rule).validate(rule)).as("a group without a name").isNotEmpty();
    }

    @Test
    void thePrometheusRuleHoldsExactlyTheRulesFileCourierShips() throws Exception {
        JsonNode rule = YAML.readTree(KUBERNETES.resolve("base/prometheusrule.yaml").toFile());
        JsonNode rules = YAML.readTree(Dist.ROOT.resolve("deploy/prometheus/courier-alerts.yml").toFile());
        assertThat(rule.path("spec"))
                .as("base/prometheusrule.yaml differs from deploy/prometheus/courier-alerts.yml: run "
                        + "deploy/kubernetes/generate-prometheusrule.sh")
                .isEqualTo(rules);
        assertThat(rules.path("groups").get(0).path("rules").size()).isGreaterThan(5);
        for (String kustomization : List.of("base", "overlays/small", "overlays/large")) {
            assertThat(find(render(kustomization), "monitoring.coreos.com/v1/PrometheusRule").path("spec"))
                    .as(kustomization + " as kustomize renders it").isEqualTo(rules);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/large"})
    void thePodProbesHealthDrainsWithinItsGracePeriodAndRunsAsTheImagesUser(String kustomization) throws Exception {
        List<JsonNode> resources = render(kustomization);
        JsonNode pod = find(resources, "apps/v1/Deployment").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");

        // preStop, then the server's 20 s drain after SIGTERM, inside the grace period
        List<String> preStop = strings(container.path("lifecycle").path("preStop").path("exec").path("command"));
        assertThat(preStop).hasSize(2).startsWith("sleep");
        long drain = 20;
        assertThat(pod.path("terminationGracePeriodSeconds").asLong())
                .isGreaterThanOrEqualTo(Long.parseLong(preStop.get(1)) + drain);

        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(container.path("resources").path("requests").path("memory").asText())
                .isEqualTo(container.path("resources").path("limits").path("memory").asText());

        // the heap fits in the memory limit with room for what lives outside it
        JsonNode config = find(resources, "v1/ConfigMap").path("data");
        long heap = heapMebibytes(config.path("COURIER_HEAP").asText());
        long limit = mebibytes(container.path("resources").path("limits").path("memory").asText());
        assertThat(limit - heap).as("memory limit less heap, MiB").isGreaterThanOrEqualTo(165 + 24);

        JsonNode hpa = find(resources, "autoscaling/v2/HorizontalPodAutoscaler").path("spec");
        List<String> metrics = StreamSupport.stream(hpa.path("metrics").spliterator(), false)
                .map(m -> m.path("pods").path("metric").path("name").asText(m.path("resource").path("name").asText()))
                .toList();
        assertThat(metrics).containsExactly("cpu", MetricNames.STREAM_CONNECTIONS.replace('.', '_'));
        JsonNode pdb = find(resources, "policy/v1/PodDisruptionBudget").path("spec");
        assertThat(hpa.path("minReplicas").asInt()).isGreaterThan(pdb.path("maxUnavailable").asInt());
    }

    @Test
    void theImageTheKustomizationNamesIsThisVersion() throws Exception {
        JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("base/kustomization.yaml").toFile());
        assertThat(kustomization.path("images").get(0).path("newTag").asText()).isEqualTo(Dist.version());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/small", "overlays/large"})
    void theStandInRenderingAgreesWithKustomizeWhereKustomizeIsInstalled(String kustomization) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Shell.has("kustomize") || Shell.has("kubectl"),
                "neither kustomize nor kubectl is installed: nothing to compare the stand-in with");
        Map<String, JsonNode> byKustomize = byKindAndName(render(kustomization));
        Map<String, JsonNode> byHand = byKindAndName(renderByHand(KUBERNETES.resolve(kustomization)));
        assertThat(byHand.keySet()).isEqualTo(byKustomize.keySet());
        byKustomize.forEach((key, rendered) -> assertThat(byHand.get(key)).as(key).isEqualTo(rendered));
    }

    private static Map<String, JsonNode> byKindAndName(List<JsonNode> resources) {
        Map<String, JsonNode> map = new java.util.TreeMap<>();
        resources.forEach(r -> map.put(kind(r) + "/" + r.path("metadata").path("name").asText(), r));
        return map;
    }

    // --- rendering

    private static final Map<String, List<JsonNode>> RENDERED = new LinkedHashMap<>();

    private static synchronized List<JsonNode> render(String kustomization) throws Exception {
        List<JsonNode> cached = RENDERED.get(kustomization);
        if (cached == null) {
            cached = renderNow(kustomization);
            RENDERED.put(kustomization, cached);
        }
        return cached;
    }

    private static List<JsonNode> renderNow(String kustomization) throws Exception {
        Path dir = KUBERNETES.resolve(kustomization);
        List<String> command = Shell.has("kustomize") ? List.of("kustomize", "build", dir.toString())
                : Shell.has("kubectl") ? List.of("kubectl", "kustomize", dir.toString()) : null;
        if (command != null) {
            String yaml = Shell.run(Duration.ofMinutes(1), command).orFail(String.join(" ", command)).output();
            return documents(yaml);
        }
        System.err.println("*** neither kustomize nor kubectl is installed: " + kustomization + " is rendered by this "
                + "test's own merge of its patches (lists of named items merge by name), not by kustomize ***");
        return renderByHand(dir);
    }

    /** A stand-in for kustomize where none is installed: resources, then patches merged by kind and name. */
    private static List<JsonNode> renderByHand(Path dir) throws IOException {
        JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        List<JsonNode> resources = new ArrayList<>();
        for (JsonNode entry : kustomization.path("resources")) {
            Path path = dir.resolve(entry.asText()).normalize();
            if (Files.isDirectory(path)) {
                resources.addAll(renderByHand(path));
            } else {
                resources.addAll(documents(Files.readString(path, StandardCharsets.UTF_8)));
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            for (JsonNode change : documents(Files.readString(dir.resolve(patch.path("path").asText())))) {
                JsonNode target = resources.stream().filter(r -> kind(r).equals(kind(change))
                        && r.path("metadata").path("name").equals(change.path("metadata").path("name")))
                        .findFirst().orElseThrow(() -> new AssertionError("patch for a missing resource: " + change));
                merge((ObjectNode) target, change);
            }
        }
        for (JsonNode image : kustomization.path("images")) {
            resources.stream().filter(r -> r.path("kind").asText().equals("Deployment"))
                    .flatMap(r -> StreamSupport.stream(r.path("spec").path("template").path("spec").path("containers")
                            .spliterator(), false))
                    .filter(c -> c.path("image").asText().equals(image.path("name").asText()))
                    .forEach(c -> ((ObjectNode) c).put("image",
                            image.path("newName").asText() + ":" + image.path("newTag").asText()));
        }
        for (JsonNode resource : resources) {
            ObjectNode labels = ((ObjectNode) resource.path("metadata")).withObject("/labels");
            kustomization.path("labels").forEach(l -> l.path("pairs").properties()
                    .forEach(p -> labels.set(p.getKey(), p.getValue())));
        }
        return resources;
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            JsonNode value = field.getValue();
            if (existing instanceof ObjectNode object && value.isObject()) {
                merge(object, value);
            } else if (existing instanceof ArrayNode array && value.isArray() && namedItems(array) && namedItems(value)) {
                for (JsonNode item : value) {
                    JsonNode same = StreamSupport.stream(array.spliterator(), false)
                            .filter(e -> e.path("name").equals(item.path("name"))).findFirst().orElse(null);
                    if (same instanceof ObjectNode object) {
                        merge(object, item);
                    } else {
                        array.add(item);
                    }
                }
            } else {
                target.set(field.getKey(), value);
            }
        }
    }

    private static boolean namedItems(JsonNode array) {
        return array.size() > 0 && StreamSupport.stream(array.spliterator(), false).allMatch(e -> e.has("name"));
    }

    // --- schemas

    private static synchronized Schema schemaFor(JsonNode resource) throws IOException {
        String file = SCHEMAS.get(kind(resource));
        assertThat(file).as("a schema for " + kind(resource)).isNotNull();
        Schema schema = COMPILED.get(file);
        if (schema == null) {
            try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/kubernetes-schemas/" + file)) {
                assertThat(in).as(file).isNotNull();
                ObjectNode tree = (ObjectNode) YAML.readTree(in);
                // "http://json-schema.org/schema#" names no draft; the schemas are written for draft 4
                tree.remove("$schema");
                schema = SchemaRegistry.withDialect(Dialects.getDraft4()).getSchema(tree);
            }
            COMPILED.put(file, schema);
        }
        return schema;
    }

    // --- helpers

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static String kind(JsonNode resource) {
        return resource.path("apiVersion").asText() + "/" + resource.path("kind").asText();
    }

    private static JsonNode find(List<JsonNode> resources, String kind) {
        return resources.stream().filter(r -> kind(r).equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2));
        }
        if (quantity.endsWith("Gi")) {
            return 1024 * Long.parseLong(quantity.substring(0, quantity.length() - 2));
        }
        throw new IllegalArgumentException("unexpected memory quantity " + quantity);
    }

    /** A JVM size as COURIER_HEAP takes it: 512m, 2g. */
    private static long heapMebibytes(String size) {
        long number = Long.parseLong(size.substring(0, size.length() - 1));
        return switch (size.charAt(size.length() - 1)) {
            case 'm', 'M' -> number;
            case 'g', 'G' -> 1024 * number;
            default -> throw new IllegalArgumentException("unexpected heap size " + size);
        };
    }
}
