package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a JSON response against the service's openapi.yaml: the documented status exists for the
 * path, and every object carries its schema's required properties (recursively, through $ref,
 * arrays and nullable values).
 */
final class OpenApiConformance {
    final JsonNode spec;

    OpenApiConformance() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("openapi.yaml")) {
            spec = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    List<String> paths() {
        List<String> out = new ArrayList<>();
        spec.get("paths").fieldNames().forEachRemaining(out::add);
        return out;
    }

    boolean secured(String path) {
        JsonNode sec = spec.get("paths").get(path).get("get").get("security");
        return sec == null || !sec.isEmpty();
    }

    /** Problems with this answer to GET {@code path}; empty when it conforms. */
    List<String> check(String path, int status, JsonNode body) {
        List<String> problems = new ArrayList<>();
        JsonNode response =
                spec.get("paths").get(path).get("get").get("responses").get(String.valueOf(status));
        if (response == null) {
            problems.add(path + ": status " + status + " is not documented");
            return problems;
        }
        response = resolve(response);
        JsonNode schema = response.at("/content/application~1json/schema");
        if (!schema.isMissingNode() && body != null) {
            checkValue(path, resolve(schema), body, problems);
        }
        return problems;
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = spec.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    private void checkValue(String where, JsonNode schema, JsonNode value, List<String> problems) {
        schema = resolve(schema);
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(where + ": null but not nullable");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object":
                if (!value.isObject()) {
                    problems.add(where + ": not an object");
                    return;
                }
                for (JsonNode req : schema.path("required")) {
                    if (!value.has(req.asText())) {
                        problems.add(where + ": missing required " + req.asText());
                    }
                }
                schema.path("properties")
                        .fields()
                        .forEachRemaining(
                                p -> {
                                    if (value.has(p.getKey())) {
                                        checkValue(
                                                where + "." + p.getKey(),
                                                p.getValue(),
                                                value.get(p.getKey()),
                                                problems);
                                    }
                                });
                break;
            case "array":
                if (!value.isArray()) {
                    problems.add(where + ": not an array");
                    return;
                }
                for (JsonNode item : value) {
                    checkValue(where + "[]", schema.get("items"), item, problems);
                }
                break;
            case "string":
                if (!value.isTextual()) {
                    problems.add(where + ": not a string");
                } else if (schema.has("enum")) {
                    boolean ok = false;
                    for (JsonNode e : schema.get("enum")) {
                        ok |= e.asText().equals(value.asText());
                    }
                    if (!ok) {
                        problems.add(where + ": " + value + " not in " + schema.get("enum"));
                    }
                }
                break;
            case "integer":
                if (!value.isIntegralNumber()) {
                    problems.add(where + ": not an integer");
                }
                break;
            case "number":
                if (!value.isNumber()) {
                    problems.add(where + ": not a number");
                }
                break;
            case "boolean":
                if (!value.isBoolean()) {
                    problems.add(where + ": not a boolean");
                }
                break;
            default:
                break;
        }
    }
}
