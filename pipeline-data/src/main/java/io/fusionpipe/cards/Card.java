package io.fusionpipe.cards;

import java.util.List;
import java.util.Objects;

/**
 * A Pokémon card as the caption template sees it: the fields of rules 1-5 and the optional
 * attacks, abilities, weaknesses and resistances of rules 6-9 (empty lists when the record has none).
 * Text fields hold whatever the source has (possibly non-ASCII); the caption folds them to ASCII.
 */
public record Card(String id, String name, List<String> subtypes, int hp, List<String> types,
                   String evolvesFrom, String rarity, String setName, String flavorText,
                   List<Attack> attacks, List<Ability> abilities, List<TypeValue> weaknesses, List<TypeValue> resistances)
        implements java.io.Serializable {

    public Card {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(setName, "setName");
        subtypes = List.copyOf(subtypes);
        types = List.copyOf(types);
        attacks = attacks == null ? List.of() : List.copyOf(attacks);
        abilities = abilities == null ? List.of() : List.copyOf(abilities);
        weaknesses = weaknesses == null ? List.of() : List.copyOf(weaknesses);
        resistances = resistances == null ? List.of() : List.copyOf(resistances);
        evolvesFrom = blankToNull(evolvesFrom);
        rarity = blankToNull(rarity);
        flavorText = flavorText == null || flavorText.isEmpty() ? null : flavorText;
    }

    /** A card with only the fields of rules 1-5. */
    public static Card basic(String id, String name, List<String> subtypes, int hp, List<String> types,
                             String evolvesFrom, String rarity, String setName, String flavorText) {
        return new Card(id, name, subtypes, hp, types, evolvesFrom, rarity, setName, flavorText, List.of(), List.of(), List.of(), List.of());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The first subtype names the stage (Basic, Stage 1, Stage 2, ...). */
    public String stage() {
        return subtypes.isEmpty() ? null : subtypes.get(0);
    }

    /** Rule 6. An empty cost list reads "[-]". */
    public record Attack(String name, List<String> cost, int convertedEnergyCost, String damage, String text) implements java.io.Serializable {
        public Attack {
            cost = List.copyOf(cost);
            damage = damage == null || damage.isEmpty() ? null : damage;
            text = text == null || text.isEmpty() ? null : text;
        }
    }

    /** Rule 7 (the ability's kind, e.g. Poké-Power, is not part of the caption). */
    public record Ability(String name, String text) implements java.io.Serializable {
        public Ability {
            text = text == null || text.isEmpty() ? null : text;
        }
    }

    /** Rules 8 and 9: a weakness or resistance, e.g. Psychic ×2. */
    public record TypeValue(String type, String value) implements java.io.Serializable {
    }
}
