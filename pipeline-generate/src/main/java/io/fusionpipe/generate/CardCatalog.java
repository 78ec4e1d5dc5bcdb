package io.fusionpipe.generate;

import io.fusionpipe.cards.Card;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The built-in world of synthetic cards: invented species in evolution chains of one to three
 * stages, each with its type(s), base HP and (for most) a flavor text, plus invented sets, and the
 * distributions cards are sampled from (type, stage and special subtypes, HP in steps of 10, rarity,
 * set). Frequencies follow the real data's statistics (../shared/data/pokemon-cards/README.md).
 * The catalog is fixed (its own constant seed); a card depends only on the catalog and its seed.
 */
public final class CardCatalog {

    /** Energy types and their relative frequency in the real cards. */
    static final String[] TYPES = {"Water", "Grass", "Psychic", "Colorless", "Fighting", "Fire", "Lightning", "Darkness", "Metal", "Dragon", "Fairy"};
    private static final double[] TYPE_WEIGHTS = {1565, 1555, 1426, 1399, 1165, 988, 934, 678, 523, 262, 138};

    private static final String[] RARITIES = {"Common", "Uncommon", "Rare", "Rare Holo", "Promo", "Illustration Rare", "Rare Ultra",
            "Double Rare", "Rare Secret", "Ultra Rare", null};
    private static final double[] RARITY_WEIGHTS = {3253, 2109, 1676, 1191, 508, 236, 231, 115, 87, 98, 175};

    static final String[] SETS = {"Ember Tides", "Crystal Skies", "Hidden Grove", "Storm Frontier", "Ancient Echoes", "Shining Depths",
            "Iron Vanguard", "Mystic Bloom", "Thunder Peaks", "Shadow Rift", "Dragon Ascent", "Frozen Realm", "Solar Crown",
            "Lunar Veil", "Coral Kingdom", "Desert Mirage", "Verdant Wilds", "Celestial Gate", "Volcanic Heart", "Whispering Woods"};

    private static final String[][] ROOTS = {
            {"Aqua", "Tidal", "Brine", "Coral", "Ripple", "Marin", "Splash", "Drizz"},      // Water
            {"Leaf", "Sprout", "Thorn", "Moss", "Bloom", "Fern", "Bram", "Petal"},          // Grass
            {"Psy", "Mysti", "Aura", "Dream", "Lumi", "Enigm", "Vision", "Astra"},         // Psychic
            {"Fluff", "Plum", "Chatt", "Nibb", "Wooly", "Bounc", "Snooz", "Pidd"},         // Colorless
            {"Brawl", "Rock", "Punch", "Grit", "Boulder", "Kick", "Crag", "Rumbl"},        // Fighting
            {"Ember", "Blaz", "Cinder", "Pyro", "Scorch", "Flare", "Ash", "Kindl"},        // Fire
            {"Volt", "Spark", "Zapp", "Static", "Bolt", "Thund", "Ampe", "Jolt"},          // Lightning
            {"Shade", "Gloom", "Murk", "Night", "Sneer", "Dusk", "Grim", "Sly"},           // Darkness
            {"Steel", "Ferro", "Gear", "Chrome", "Bolto", "Alloy", "Rivet", "Magn"},       // Metal
            {"Drak", "Wyrm", "Scale", "Fang", "Draco", "Serp", "Talon", "Glaiv"},          // Dragon
            {"Pixie", "Charm", "Glimm", "Sweet", "Fae", "Ribbon", "Twinkl", "Posy"}};      // Fairy
    private static final String[][] SUFFIXES = {
            {"let", "pup", "kit", "ling", "bit", "y", "ito", "mite"},     // Basic
            {"fang", "wing", "tail", "claw", "horn", "leon", "ros", "rix"}, // Stage 1
            {"gon", "zard", "lord", "king", "tyr", "saur", "drake", "mos"}}; // Stage 2

    private static final String[] PLACES = {"deep lakes", "old forests", "mountain caves", "city rooftops", "volcanic vents",
            "frozen tundra", "quiet meadows", "ancient ruins", "stormy coasts", "desert dunes", "misty marshes", "abandoned mines"};
    private static final String[] HABITS = {"sleeps curled up in the sun", "gathers shiny stones", "sings at dawn", "hides from strangers",
            "hunts at night", "travels in small herds", "guards its nest fiercely", "mimics the calls of other creatures",
            "digs long tunnels", "dances when it rains", "follows travelers for days", "stores food in its cheeks"};
    private static final String[] TRAITS = {"its tail glows faintly", "it releases a sweet scent", "sparks fly from its fur",
            "its eyes change color", "it grows twice as fast", "the air around it turns cold", "it can be heard for miles",
            "its shell hardens like steel", "it leaves glittering footprints", "it becomes almost invisible"};
    private static final String[] WHENS = {"When it is angry", "When it is happy", "When the moon is full", "When danger is near",
            "When it is hungry", "When it evolves", "During a storm", "In the cold season"};

    /** One species: its name, stage within its chain, what it evolves from, types, base HP, flavor. */
    public record Species(String name, int stage, String evolvesFrom, List<String> types, int baseHp, String flavorText) {
    }

    private final List<Species> species = new ArrayList<>();

    private CardCatalog(long catalogSeed, int chains, double flavorRate) {
        SplittableRandom rnd = new SplittableRandom(catalogSeed);
        Set<String> names = new HashSet<>();
        for (int c = 0; c < chains; c++) {
            int type = pick(rnd, TYPE_WEIGHTS);
            List<String> types = rnd.nextDouble() < 0.01 ? List.of(TYPES[type], TYPES[(type + 1 + rnd.nextInt(TYPES.length - 1)) % TYPES.length])
                    : List.of(TYPES[type]);
            String root = ROOTS[type][rnd.nextInt(ROOTS[type].length)];
            double r = rnd.nextDouble();
            int length = r < 0.35 ? 1 : r < 0.65 ? 2 : 3;
            String previous = null;
            for (int stage = 0; stage < length; stage++) {
                String name = uniqueName(rnd, root, stage, names);
                int baseHp = 10 * (4 + stage * 3 + rnd.nextInt(5));
                String flavor = rnd.nextDouble() < flavorRate ? flavor(rnd) : null;
                species.add(new Species(name, stage, previous, types, baseHp, flavor));
                previous = name;
            }
        }
    }

    /** The built-in catalog (240 chains, flavor text for the given share of species). */
    public static CardCatalog builtIn(double flavorRate) {
        return new CardCatalog(0x5EEDCA7A106L, 240, flavorRate);
    }

    public List<Species> species() {
        return species;
    }

    private static String uniqueName(SplittableRandom rnd, String root, int stage, Set<String> used) {
        for (int attempt = 0; ; attempt++) {
            String suffix = SUFFIXES[stage][rnd.nextInt(SUFFIXES[stage].length)];
            String name = root + suffix + (attempt > 6 ? String.valueOf((char) ('a' + rnd.nextInt(26))) : "");
            name = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1).toLowerCase(Locale.ROOT);
            if (used.add(name)) {
                return name;
            }
        }
    }

    private static String flavor(SplittableRandom rnd) {
        return "It lives in " + PLACES[rnd.nextInt(PLACES.length)] + " and " + HABITS[rnd.nextInt(HABITS.length)] + ". "
                + WHENS[rnd.nextInt(WHENS.length)] + ", " + TRAITS[rnd.nextInt(TRAITS.length)] + ".";
    }

    static int pick(SplittableRandom rnd, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double x = rnd.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** Samples card number {@code index} with its own random stream. */
    public Card sample(String id, SplittableRandom rnd) {
        // Species are drawn so that types follow the real frequencies (the catalog was drawn that way).
        Species s = species.get(rnd.nextInt(species.size()));
        List<String> subtypes = new ArrayList<>();
        subtypes.add(s.stage() == 0 ? "Basic" : "Stage " + s.stage());
        int bonus = 0;
        double special = rnd.nextDouble();
        if (special < 0.03) {
            subtypes.add("ex");
            bonus = 80;
        } else if (special < 0.055) {
            subtypes.add("GX");
            bonus = 90;
        } else if (special < 0.07 && s.stage() == 0) {
            subtypes.add("V");
            bonus = 100;
        }
        int hp = Math.min(340, s.baseHp() + 10 * (rnd.nextInt(5) - 2) + bonus);
        hp = Math.max(30, hp);
        String rarity = bonus > 0 ? (rnd.nextBoolean() ? "Double Rare" : "Rare Ultra") : RARITIES[pick(rnd, RARITY_WEIGHTS)];
        String set = SETS[rnd.nextInt(SETS.length)];
        return Card.basic(id, s.name(), subtypes, hp, s.types(), s.evolvesFrom(), rarity, set, s.flavorText());
    }
}
