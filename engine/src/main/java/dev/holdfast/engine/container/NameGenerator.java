package dev.holdfast.engine.container;

import java.util.List;
import java.util.random.RandomGenerator;

/** Docker-style generated names: an adjective and the surname of a scientist or engineer, e.g. {@code eager_noether}. */
public final class NameGenerator {
    private static final List<String> ADJECTIVES = List.of(
            "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful",
            "bold", "brave", "busy", "charming", "clever", "compassionate", "competent", "confident", "cool",
            "cranky", "crazy", "dazzling", "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic",
            "elated", "elegant", "eloquent", "epic", "exciting", "fervent", "festive", "flamboyant", "focused",
            "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
            "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting", "jolly",
            "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying",
            "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic",
            "pensive", "practical", "priceless", "quirky", "quizzical", "relaxed", "reverent", "romantic", "sad",
            "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender",
            "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
            "xenodochial", "youthful", "zealous", "zen");

    private static final List<String> SURNAMES = List.of(
            "agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bell", "blackwell",
            "bohr", "booth", "borg", "bose", "brahmagupta", "brown", "carson", "cerf", "chandrasekhar", "clarke",
            "curie", "darwin", "dijkstra", "dirac", "einstein", "elion", "euclid", "euler", "faraday", "fermat",
            "fermi", "feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking",
            "heisenberg", "hodgkin", "hopper", "hypatia", "jackson", "jemison", "johnson", "kepler", "khorana",
            "knuth", "kowalevski", "lamarr", "lamport", "leakey", "leavitt", "liskov", "lovelace", "lumiere",
            "mayer", "mccarthy", "mcclintock", "meitner", "mendel", "merkle", "minsky", "mirzakhani", "montalcini",
            "morse", "napier", "newton", "nobel", "noether", "noyce", "pascal", "pasteur", "payne", "perlman",
            "pike", "poincare", "ptolemy", "raman", "ramanujan", "ritchie", "rosalind", "sammet", "shannon",
            "shockley", "sinoussi", "snyder", "stallman", "swartz", "tesla", "thompson", "torvalds", "turing",
            "varahamihira", "villani", "volhard", "wescoff", "wilbur", "wiles", "williams", "wing", "wozniak",
            "wright", "yalow", "yonath");

    private final RandomGenerator random;

    public NameGenerator(RandomGenerator random) {
        this.random = random;
    }

    public String next() {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_"
                + SURNAMES.get(random.nextInt(SURNAMES.size()));
    }
}
