package io.tumult.schemas.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorsTest {

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "app=cart                       | app=cart            | true",
            "app==cart                      | app=cart            | true",
            "app!=cart                      | app=cart            | false",
            "app!=cart                      | tier=web            | true",
            "tier in (web, api)             | tier=api            | true",
            "tier in (web,api)              | tier=db             | false",
            "tier notin (web,api)           | tier=db             | true",
            "tier notin (web,api)           | app=x               | true",
            "canary                         | canary=             | true",
            "!canary                        | canary=yes          | false",
            "!canary                        | app=cart            | true",
            "app=cart,tier in (web),!canary | app=cart;tier=web   | true",
            "app=cart,tier in (web),!canary | app=cart;tier=db    | false",
            "example.com/team=shop          | example.com/team=shop | true" })
    void shouldMatchAsTheApiServerDoes(String selector, String labels, boolean matches) {
        // Given
        var requirements = Selectors.parseLabels(selector);

        // When
        boolean result = Selectors.matches(requirements, labels(labels));

        // Then
        assertThat(result).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "app=cart,", "tier in (web", "tier in ()", "app=ca rt", "-app", "tier in web)",
            "a=b=c", "app=@" })
    void shouldRefuseSelectorsThatDoNotParseNamingThem(String selector) {
        assertThatThrownBy(() -> Selectors.parseLabels(selector)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label selector '" + selector + "'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "status.phase=Running|Running|true", "status.phase!=Running|Pending|true",
            "spec.nodeName==n1|n2|false" })
    void shouldMatchFieldSelectors(String selector, String actual, boolean matches) {
        assertThat(Selectors.parseFields(selector).get(0).matches(actual)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = { "status.podIP=1.2.3.4", "status.phase", "status.phase in (Running)" })
    void shouldRefuseFieldSelectorsItCannotEvaluate(String selector) {
        assertThatThrownBy(() -> Selectors.parseFields(selector)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(selector);
    }

    private static Map<String, String> labels(String text) {
        var map = new java.util.HashMap<String, String>();
        for (String kv : List.of(text.split(";"))) {
            String[] p = kv.split("=", 2);
            map.put(p[0], p.length > 1 ? p[1] : "");
        }
        return map;
    }
}
