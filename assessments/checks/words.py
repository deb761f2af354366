"""The vocabulary the checks read English with: abbreviations that do not end a sentence,
words that carry no content, verbs and the words that tell them from nouns, the words a
recommendation cannot start with, and the generic words of country names.
"""

ABBREVIATIONS = {
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "st", "no", "nos", "para", "paras", "art",
    "arts", "p", "pp", "vol", "cf", "al", "vs", "approx", "est", "op", "cit", "ibid", "fig",
    "ch", "sec", "gen", "lt", "col", "maj", "capt", "sgt", "rev", "add", "corr", "inc", "ltd",
    "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.n", "u.k", "prof", "hon", "amb", "gov", "sen", "rep",
}  # fmt: skip

STOPWORDS = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or",
    "but", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its",
    "this", "that", "these", "those", "their", "there", "which", "who", "whom", "whose", "not",
    "no", "any", "all", "also", "into", "than", "such", "other", "more", "most", "some",
}  # fmt: skip

# --- Verbs, and the words that tell a verb from a noun --------------------------------

AUXILIARIES = {
    "is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "do", "does", "did",
    "can", "could", "will", "would", "may", "might", "must", "shall", "should", "isn't",
    "aren't", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "doesn't", "didn't",
    "cannot", "can't", "won't", "remains", "remain", "remained", "seems", "seem", "appears",
}  # fmt: skip
IRREGULAR_VERBS = {
    "arose", "ate", "beat", "became", "began", "bent", "bit", "bled", "bore", "bound",
    "broke", "brought", "built", "burnt", "bought", "cast", "caught", "chose", "came", "cost",
    "cut", "dealt", "dug", "drew", "drove", "fed", "fell", "felt", "fled", "fought", "forbade",
    "forgave", "forgot", "froze", "found", "gave", "got", "grew", "hid", "hit", "held", "hung",
    "hurt", "kept", "knew", "laid", "led", "left", "lent", "let", "lay", "lit", "lost", "made",
    "meant", "met", "overcame", "overthrew", "paid", "put", "quit", "ran", "rang", "read",
    "rebuilt", "rode", "rose", "said", "sank", "saw", "sent", "set", "shook", "shot", "shut",
    "slept", "sold", "sought", "spent", "spoke", "spread", "stood", "stole", "struck", "stuck",
    "swept", "swore", "taught", "tore", "told", "thought", "threw", "took", "undertook",
    "understood", "upheld", "went", "withdrew", "withheld", "won", "woke", "wore", "wrote",
    "continue", "continues", "remain", "exist", "exists", "persist", "persists", "include",
    "includes", "lack", "lacks", "face", "faces", "need", "needs", "says", "takes", "makes",
}  # fmt: skip
NOT_PAST_TENSE = {"hundred", "indeed", "need", "red", "bed", "seed", "speed", "creed", "breed"}
DETERMINERS = {
    "a", "an", "the", "its", "their", "his", "her", "our", "your", "my", "these", "those",
    "this", "that", "many", "several", "some", "all", "both", "other", "such", "of", "in",
    "on", "for", "with", "by", "to", "from", "and", "or", "no", "few", "two", "three",
    "various", "numerous", "whose", "into", "against", "about", "among", "between",
}  # fmt: skip
PREPOSITIONS = {
    "in", "on", "at", "for", "with", "from", "of", "by", "during", "across", "among",
    "under", "over", "through", "within", "without", "against", "after", "before", "despite",
    "amid", "between", "into", "towards", "toward", "throughout", "beyond", "near",
}  # fmt: skip
SUBORDINATORS = {
    "because", "although", "though", "whereas", "while", "if", "unless", "which", "where",
    "whereby", "when", "whose", "and", "but", "or",
}  # fmt: skip

# --- Recommendations ------------------------------------------------------------------

NOT_IMPERATIVE_FIRST = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "their", "there", "they",
    "we", "you", "he", "she", "all", "any", "each", "every", "no", "in", "on", "at", "by",
    "for", "from", "with", "to", "of", "as", "if", "when", "where", "while", "and", "or",
    "but", "should", "must", "may", "might", "can", "could", "will", "would", "shall", "is",
    "are", "be", "not", "please", "further", "more", "greater", "new", "continued",
}  # fmt: skip
NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ship", "ing")

# --- Names ----------------------------------------------------------------------------

GENERIC_NAME_WORDS = {
    "the", "of", "and", "democratic", "people", "peoples", "people's", "peoples'", "republic",
    "kingdom", "state", "states", "federal", "federated", "united", "islamic", "socialist",
    "union", "commonwealth", "islands", "island", "independent", "plurinational",
    "bolivarian", "arab", "emirate", "emirates", "principality", "grand", "duchy",
    "sultanate", "north", "south", "east", "west", "central", "new", "saint", "st", "de",
    "da", "del", "la", "le", "du", "des",
}  # fmt: skip
NAME_START_SKIP = {"the", "in", "on", "at", "of", "for", "by", "with", "and", "to", "from", "see"}

# --- Figures --------------------------------------------------------------------------

# Where the words that say what a figure counts stop.
FIGURE_KEY_STOP = {
    "and", "or", "but", "which", "who", "that", "while", "whereas", "since", "because",
    "according", "in", "on", "at", "by", "from", "to", "during", "between", "until",
}  # fmt: skip
# A number after one of these is an identifier (article 7, resolution 2397), not a figure.
IDENTIFIER_WORDS = {
    "article", "articles", "resolution", "resolutions", "paragraph", "paragraphs", "para",
    "paras", "no", "number", "chapter", "section", "page", "pages", "p", "pp", "vol",
    "volume", "session", "rule", "rules", "item", "phase", "level", "category", "protocol",
    "point", "points", "annex", "table", "figure", "step", "principle", "goal", "target",
}  # fmt: skip
