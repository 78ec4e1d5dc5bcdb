package io.fusionpipe.cards;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caption template of the TheFusion21/PokemonCards dataset, as reconstructed in
 * ../shared/data/pokemon-cards/README.md, in one place: {@link #format} (card to caption) and
 * {@link #parse} (caption to fields), which the generator and the evaluation both use.
 * <pre>
 * A {subtypes} Pokemon Card of type {types} with the title {name} and {hp} HP
 *   [ of rarity {rarity}] [ evolved from {evolvesFrom}] from the set {set}
 *   ( and the flavor text: {flavorText} | ". " )
 *   { It has the attack ...}{ It has the ability ...}{ It has weakness against ...}{ It has resistance against ...}
 * </pre>
 * and the whole string folded to ASCII (NFKD, then every non-ASCII character dropped).
 */
public final class CaptionTemplate {

    private static final Pattern MAIN = Pattern.compile(
            "A (?<subtypes>.*?) Pokemon Card of type (?<types>.*?) with the title (?<name>.*?) and (?<hp>\\d+) HP"
                    + "(?: of rarity (?<rarity>.*?))?(?: evolved from (?<evolves>.*?))? from the set (?<set>.*?)"
                    + "(?: and the flavor text: (?<flavor>.*)|\\. (?<noflavor>.*))", Pattern.DOTALL);

    private static final String ATTACK = " It has the attack ";
    private static final String ABILITY = " It has the ability ";
    private static final String WEAKNESS = " It has weakness against ";
    private static final String RESISTANCE = " It has resistance against ";
    private static final List<String> MARKERS = List.of(ATTACK, ABILITY, WEAKNESS, RESISTANCE);

    private static final Pattern ATTACK_PIECE = Pattern.compile(
            " It has the attack (?<name>.*?) with the cost (?<cost>.*?), the energy cost (?<energy>\\d+)"
                    + "(?: and the damage of (?<damage>.*?))?(?: with the description: (?<text>.*)|\\. )", Pattern.DOTALL);
    private static final Pattern ABILITY_PIECE = Pattern.compile(
            " It has the ability (?<name>.*?)(?: with the description: (?<text>.*)|\\. )", Pattern.DOTALL);
    private static final Pattern TYPE_VALUE_PIECE = Pattern.compile(
            " It has (?:weakness|resistance) against (?<type>.*) (?<value>\\S*)\\. ", Pattern.DOTALL);

    private CaptionTemplate() {
    }

    /** Rule 10: Unicode NFKD, then every non-ASCII character dropped ("Pokémon" to "Pokemon", "δ" to ""). */
    public static String foldAscii(String s) {
        if (s == null) {
            return null;
        }
        String d = Normalizer.normalize(s, Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(d.length());
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (c < 128) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The caption of a card: rules 1-9 in order, then the ASCII folding. */
    public static String format(Card card) {
        StringBuilder s = new StringBuilder(256);
        s.append("A ").append(String.join(", ", card.subtypes())).append(" Pokemon Card of type ")
                .append(String.join(", ", card.types())).append(" with the title ").append(card.name())
                .append(" and ").append(card.hp()).append(" HP");
        if (card.rarity() != null) {
            s.append(" of rarity ").append(card.rarity());
        }
        if (card.evolvesFrom() != null) {
            s.append(" evolved from ").append(card.evolvesFrom());
        }
        s.append(" from the set ").append(card.setName());
        if (card.flavorText() != null) {
            s.append(" and the flavor text: ").append(card.flavorText());
        } else {
            s.append(". ");
        }
        for (Card.Attack a : card.attacks()) {
            s.append(ATTACK).append(a.name()).append(" with the cost ")
                    .append(a.cost().isEmpty() ? "[-]" : String.join(", ", a.cost()))
                    .append(", the energy cost ").append(a.convertedEnergyCost());
            if (a.damage() != null) {
                s.append(" and the damage of ").append(a.damage());
            }
            s.append(a.text() != null ? " with the description: " + a.text() : ". ");
        }
        for (Card.Ability a : card.abilities()) {
            s.append(ABILITY).append(a.name()).append(a.text() != null ? " with the description: " + a.text() : ". ");
        }
        for (Card.TypeValue w : card.weaknesses()) {
            s.append(WEAKNESS).append(w.type()).append(' ').append(w.value()).append(". ");
        }
        for (Card.TypeValue r : card.resistances()) {
            s.append(RESISTANCE).append(r.type()).append(' ').append(r.value()).append(". ");
        }
        return foldAscii(s.toString());
    }

    /**
     * Reads a caption back into its fields (all ASCII, as captions are). Empty when the caption does
     * not follow the template. {@code format(parse(c).get()) .equals(c)} for every caption the
     * template produces.
     */
    public static Optional<Card> parse(String caption) {
        if (caption == null) {
            return Optional.empty();
        }
        Matcher m = MAIN.matcher(caption);
        if (!m.matches()) {
            return Optional.empty();
        }
        String flavorAndTail = m.group("flavor");
        if (flavorAndTail == null) {
            return build(caption, m, null, m.group("noflavor"));
        }
        // Flavor text may itself contain "It has the ability ..." (dp3-7 does): try each place the
        // attacks/abilities could start, earliest first, and keep the first that re-formats exactly.
        for (int cut = firstMarker(flavorAndTail, 1); cut > 0; cut = firstMarker(flavorAndTail, cut + 1)) {
            Optional<Card> card = build(caption, m, flavorAndTail.substring(0, cut), flavorAndTail.substring(cut));
            if (card.isPresent()) {
                return card;
            }
        }
        return flavorAndTail.isEmpty() ? Optional.empty() : build(caption, m, flavorAndTail, "");
    }

    private static Optional<Card> build(String caption, Matcher m, String flavor, String tail) {
        List<Card.Attack> attacks = new ArrayList<>();
        List<Card.Ability> abilities = new ArrayList<>();
        List<Card.TypeValue> weaknesses = new ArrayList<>();
        List<Card.TypeValue> resistances = new ArrayList<>();
        if (!parseTail(tail, attacks, abilities, weaknesses, resistances)) {
            return Optional.empty();
        }
        int hp;
        try {
            hp = Integer.parseInt(m.group("hp"));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Card card = new Card(null, m.group("name"), split(m.group("subtypes")), hp, split(m.group("types")),
                m.group("evolves"), m.group("rarity"), m.group("set"), flavor, attacks, abilities, weaknesses, resistances);
        // Pieces must come in the template's order; anything else is not a caption the template made.
        return format(card).equals(caption) ? Optional.of(card) : Optional.empty();
    }

    private static List<String> split(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(", ", -1));
    }

    private static int firstMarker(String s, int from) {
        int best = -1;
        for (String marker : MARKERS) {
            int i = s.indexOf(marker, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    private static boolean parseTail(String tail, List<Card.Attack> attacks, List<Card.Ability> abilities,
                                     List<Card.TypeValue> weaknesses, List<Card.TypeValue> resistances) {
        int start = 0;
        while (start < tail.length()) {
            if (firstMarker(tail, start) != start) {
                return false;
            }
            int end = firstMarker(tail, start + 1);
            String piece = tail.substring(start, end < 0 ? tail.length() : end);
            Matcher m;
            if (piece.startsWith(ATTACK) && (m = ATTACK_PIECE.matcher(piece)).matches()) {
                String cost = m.group("cost");
                attacks.add(new Card.Attack(m.group("name"), cost.equals("[-]") ? List.of() : split(cost),
                        Integer.parseInt(m.group("energy")), m.group("damage"), m.group("text")));
            } else if (piece.startsWith(ABILITY) && (m = ABILITY_PIECE.matcher(piece)).matches()) {
                abilities.add(new Card.Ability(m.group("name"), m.group("text")));
            } else if ((piece.startsWith(WEAKNESS) || piece.startsWith(RESISTANCE)) && (m = TYPE_VALUE_PIECE.matcher(piece)).matches()) {
                (piece.startsWith(WEAKNESS) ? weaknesses : resistances).add(new Card.TypeValue(m.group("type"), m.group("value")));
            } else {
                return false;
            }
            start = end < 0 ? tail.length() : end;
        }
        return true;
    }
}
