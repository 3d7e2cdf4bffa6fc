"""Word lists used by the claim detector's rules (plain data, no spaCy).

Written for this project from general knowledge of English news style; lemmas
are lower case, as spaCy's English lemmatizer gives them.
"""

from __future__ import annotations

# Verbs that introduce what someone said, wrote or announced. With these, a
# following (or preceding) clause is reported speech.
SPEECH_VERBS = frozenset(
    """
    say tell add claim argue note explain state report announce insist warn write tweet post
    acknowledge admit deny confirm declare assert contend maintain stress emphasize emphasise
    reply respond answer ask recall conclude concede reveal disclose testify allege complain
    boast vow promise pledge predict estimate observe remark comment mention quip joke
    caution urge suggest indicate repeat reiterate charge retort counter scoff lament
    tout brag assure inform advise announce speculate posit theorize theorise signal hint
    continue agree point proclaim affirm protest grumble muse recount describe
    """.split()
)

# Verbs of belief, expectation and finding: attribution too, but weaker.
COGNITION_VERBS = frozenset(
    """
    think believe expect hope fear feel worry know understand assume suspect doubt anticipate
    show find learn see reckon consider figure guess imagine wonder realize realise
    """.split()
)

REPORTING_VERBS = SPEECH_VERBS | COGNITION_VERBS

# Of those, the ones that only count with a clause after them ("polls show that ...")
# and never on their own in "..., X found." position.
CLAUSE_ONLY = frozenset("show find see know understand learn consider figure describe point agree".split())

# Lemmas that are too ambiguous without a clause or a quote beside them.
NEEDS_CONTENT = frozenset("see know understand learn consider figure describe continue point agree ask answer charge counter post signal hint".split())

# Particles that belong to the cue: "point out", "lay out"
CUE_PARTICLES = frozenset("out up on".split())

# Subject words that are not speakers ("it is said", "there is"; relative "that" — "a group that backs X" —
# was right too rarely on PolNeAR train, whose annotators name the group)
NON_SPEAKERS = frozenset("there what this that".split())

# Predictions
PREDICTION_LEMMAS = frozenset("expect forecast predict project anticipate".split())
PREDICTION_ADJECTIVES = frozenset("likely unlikely set poised due bound expected projected".split())

# Comparisons without a JJR/JJS tag
COMPARISON_WORDS = frozenset(
    """
    more less fewer most least than record unprecedented highest lowest largest smallest biggest
    double doubled triple tripled half twice
    """.split()
)
TREND_LEMMAS = frozenset(
    "increase decrease rise fall drop grow decline double triple halve cut raise reduce lower climb plunge soar surge".split()
)

# Words that make a sentence an opinion or a question rather than a checkable claim
HEDGES = frozenset("maybe perhaps opinion feel".split())

# Verbs whose reported content can be an infinitive: "expects talks to last", "urged him to resign"
XCOMP_VERBS = frozenset("expect predict forecast promise vow pledge threaten plan intend want hope urge ask tell advise warn".split())

# Verbs of stance whose content is often a noun phrase ("criticized the accord", "supports Sanders").
# PolNeAR annotates these as attributions; they get a lower score.
STANCE_VERBS = frozenset(
    """
    criticize criticise praise support endorse defend want propose back accuse blame dismiss mock thank
    discuss mention cite reject oppose condemn question welcome applaud slam attack blast demand prefer
    deride denounce decry hail lambast fault credit call talk announce deny confirm acknowledge admit reveal
    predict propose describe express cite reference tout promise pledge vow refer speak
    refuse decline seek recognize challenge highlight echo embrace remember remind imply threaten apologize
    favor favour advocate congratulate rail intend portray deem shout cheer recommend document plead yell
    recite disavow articulate assail balk interpret rebuff rule determine focus share chant boo liken compare
    characterize characterise label dub brand regard view applaud chide scold rebuke ridicule disparage
    question dispute contest rebut refute contradict downplay dismiss champion push lobby demand
    offer release issue list voice report publish outline invoke claim email retweet retweete suggest quote
    circulate broadcast utter pronounce clarify detail unveil underscore address reaffirm attribute
    like love dislike ignore bemoan relish resist renounce repudiate underestimate contemplate
    persuade encourage press pressure request hammer knock savage brush single contrast frame
    distance opt swear plan order decide vote name appoint sign aim file introduce veto adopt ban
    restrict negotiate project calculate identify promote look lay
    """.split()
)

# Verbs whose noun-phrase object is not what was said or held ("told reporters", "saw a movie",
# "found the documents", "pushed the bill"); checked against PolNeAR's *train* split
NO_OBJECT_CONTENT = frozenset(
    """
    tell ask answer inform advise see know feel understand learn continue point add post signal hint respond reply joke
    find push maintain threaten consider view favor favour embrace agree intend recognize pledge
    """.split()
)
# Passives that name or discover rather than attribute ("is called Patriot", "was found dead")
NO_PASSIVE_CONTENT = frozenset("call find focus view name release publish restrict decide look introduce offer aim file".split())

# Nouns that carry an attribution when someone's and followed by a clause ("Trump's claim that …")
NOUN_CUES = frozenset(
    """
    statement claim report criticism concern remark comment assertion allegation accusation argument warning
    promise pledge suggestion belief view opinion complaint denial admission announcement testimony prediction
    estimate endorsement opposition praise demand proposal refusal doubt fear hope insistence emphasis swipe
    condemnation question call insistence vow threat charge contention observation recommendation request
    acknowledgment acknowledgement confession boast plea appeal objection rebuke dismissal attack critique
    """.split()
)

# Nouns of judgement whose prepositional object is what the judgement is about, with a holder
# ("Garcia's attack on the plan", "criticism of the deal from the mayor"); the rest of NOUN_CUES
# need a clause (checked on PolNeAR train: with an object alone they were right too rarely)
NOUN_OBJECT_CUES = frozenset("attack criticism critique endorsement opposition condemnation praise accusation".split())

# Adjectives of attitude after a copula: "is skeptical of X", "was reluctant to endorse X", "it is unclear whether …"
# (checked on PolNeAR train: "clear", "determined", "resistant", "favorable", "unaware", "united" were left out)
ATTITUDE_ADJECTIVES = frozenset(
    """
    confident hopeful optimistic pessimistic skeptical sceptical doubtful sure unsure certain uncertain convinced
    aware afraid fearful worried concerned anxious nervous wary leery reluctant eager keen willing unwilling
    happy unhappy pleased glad delighted proud ashamed sorry angry furious upset frustrated disappointed dismayed
    annoyed outraged satisfied dissatisfied comfortable uncomfortable critical supportive opposed sympathetic hostile
    unfavorable enthusiastic passionate adamant unclear committed open receptive
    divided split bullish bearish cautious sick tired fond suspicious mindful excited thrilled grateful
    """.split()
)

# Surveys and studies that speak for their findings: "In a CBS News poll, Clinton led …"
SURVEY_NOUNS = frozenset("poll survey study report analysis census".split())

# Verbs of impression: "X seems to …", "it appears that …" (an attribution, often without a named holder)
SEEM_VERBS = frozenset("seem appear".split())

# Prepositions that introduce a stance verb's content: "called for X", "talked about X", "referring to X"
STANCE_PREPOSITIONS = {
    "call": ("for", "on"),
    "talk": ("about",),
    "speak": ("about", "of"),
    "refer": ("to",),
    "warn": ("of", "about", "against"),
    "argue": ("for", "against"),
    "complain": ("about", "of"),
    "comment": ("on",),
    "rail": ("against",),
    "balk": ("at",),
    "apologize": ("for",),
    "focus": ("on",),
    "plead": ("for", "with"),
    "advocate": ("for",),
    "push": ("for",),
    "lobby": ("for", "against"),
    "liken": ("to",),
    "compare": ("to", "with"),
    "cheer": ("for", "on"),
    "agree": ("with", "on"),
    "disagree": ("with", "on"),
    "testify": ("about", "on", "before"),
    "boast": ("about", "of"),
    "brag": ("about", "of"),
    "joke": ("about",),
    "write": ("about", "of"),
    "tweet": ("about",),
    "worry": ("about",),
    "care": ("about",),
}

# Objects that make a speech verb's object not a claim ("said nothing", "said so")
EMPTY_OBJECTS = frozenset("nothing something anything it that this so yes no everything much little".split())

# Words in a paragraph opener before a colon that make it a heading, not a source ("UPDATE: ...", "The Latest: ...")
COLON_NOT_SOURCES = frozenset(
    """
    update updated note editor photo photos video watch related read source sources image caption correction
    disclosure listen breaking exclusive analysis opinion q a latest warning spoiler transcript question answer
    example summary background why what how who when where here
    """.split()
)

FIRST_SECOND_PERSON = frozenset("i we you me us".split())

# Words of opinion and wish that make a sentence less of a checkable claim
OPINION_LEMMAS = frozenset("think believe feel want hope need like love wish guess".split())

# Inflected reporting verbs, for pipelines without a lemmatizer (a blank pipeline)
REPORTING_FORMS = {
    form: lemma
    for lemma, forms in {
        "say": "said says saying",
        "tell": "told tells telling",
        "add": "added adds adding",
        "write": "wrote writes writing",
        "ask": "asked asks asking",
        "claim": "claimed claims claiming",
        "argue": "argued argues arguing",
        "note": "noted notes noting",
        "explain": "explained explains explaining",
        "announce": "announced announces announcing",
        "insist": "insisted insists insisting",
        "warn": "warned warns warning",
        "tweet": "tweeted tweets tweeting",
    }.items()
    for form in forms.split()
}

# Common given names that are, in English-language news, nearly always a man's or a
# woman's (names often given to both, like Terry or Jean, are left out). Weak evidence for
# pronoun resolution only (newsmark.nlp.speakers): the first word of a longer name, or a
# lone word that is no one's surname in the article (a lone "Scott" after "Rakeyia Scott"
# is her surname); what the article itself says (Mr./Ms., "a spokeswoman") outweighs it.
MASCULINE_GIVEN_NAMES = frozenset(
    """
    aaron adam alan albert alexander alfred andrew anthony antonin arthur barack ben benjamin bernie bill billy bob
    bobby brad bradley brandon brian bruce bryan carl carlos charles charlie chris christopher chuck colin craig dan
    daniel darrell dave david dennis dick don donald doug douglas dwight ed eddie edward eric frank fred gary george
    gerald glenn greg gregory harold harry henry howard ian jack jacob jake james jason jeb jeff jeffrey jeremy jerry
    jim jimmy joe joel john johnny jon jonathan jose joseph josh joshua juan justin keith ken kenneth kevin kurt
    larry lawrence mark martin matt matthew michael mike mitch mitt mohammed muhammad nathan neil nick
    nicholas paul pete peter phil philip ralph randy ray raymond reince richard rick rob robert roger ron ronald
    rudy russell ryan samuel scott sean sergei stephen steve steven ted thomas tim timothy todd tom tony
    vladimir walter wayne william xi yoav
    """.split()
)
FEMININE_GIVEN_NAMES = frozenset(
    """
    abigail alice alicia amanda amy andrea angela angelique ann anna anne barbara betsy betty beverly brenda
    camila carly carol caroline catherine cathy cheryl chelsea christina christine claire cynthia deborah debbie
    debra diana diane donna doris dorothy elizabeth ellen emily emma evelyn frances gloria grace hanako heather
    heidi helen hillary huma ivanka jane janet janice jennifer jessica jill joan joanne joyce judith judy julia
    julie karen kate katherine kathleen kathy katie kelly kellyanne kimberly laura lauren linda lisa lois
    loretta lori louise madeleine margaret maria marie marilyn martha mary megan melania melissa michelle
    mona nancy nicole nikki olena olivia pamela patricia patty paula rachel rebecca rose ruth sandra sarah sharon
    shirley stephanie susan susana suzanne tammy teresa theresa tina valerie victoria virginia wendy
    """.split()
)
