"""The words releases name things with: months, streets, people, agencies, offences, places.

Shared by the answer shapes (`shapes.py`), which look for a name or a place in a
sentence, and the scope check (`scope.py`), which asks whether a release is about the
city a question names.
"""

from __future__ import annotations

import re

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"

PLACE = (
    r"\b(?:block|area) of [A-Z0-9]|\b[A-Z][a-z]+ (?:Street|Avenue|Road|Drive|Boulevard|Bay|"
    r"Crescent|Highway|Place|Park|Lane|Way|Hotel|Centre|Station|St\.|Ave\.)"
)


# A person named: "Jason Scott WOODHOUSE, 23", "Kyllan James Ellis" on a list line,
# "arrested Janice Allison FRANKLIN", "Sgt. Jane Doe"; not "Investigation Section, a 24".
_INSTITUTION = r"(?<!Section)(?<!Unit)(?<!Service)(?<!Police)(?<!Division)(?<!Centre)(?<!Team)"
OFFENCE = (
    r"(?:Murder|Manslaughter|Assault|Robbery|Possession|Theft|Weapon|Firearm|Break|Comply"
    r"|Conveyance|Dangerous|Mischief|Fraud|Arson|Abduction|Kidnapping|Trafficking|Threats"
    r"|Flight|Impaired|Death|Harm|Order|Property|Offence|Attempt|Escape|Breach|Sexual)"
)
# Capitalised words before an acronym that are not a first name: "The IIU", "Winnipeg RCMP".
NOT_A_NAME = (
    r"(?:The|A|An|This|That|These|Those|Our|His|Her|Its|Their|Police|City|Winnipeg|Regina"
    r"|Manitoba|Saskatchewan|Canada|Provincial|Federal|Local|Both|Two|Three|Four|Five)"
)
# A word of a charge's name ("Resist Peace Officer", "Fail to Comply with Undertaking").
_CHARGE_WORD = (
    rf"(?:{OFFENCE}|Obtained|Crime|Intent|Enter|Notice|Appearance|Conditions?|Undertaking"
    r"|Probation|Recognizance|Release|Appear|Alcohol|Drugs?|Substance|Trafficking|Proceeds|Forgery"
    r"|Forged|Uttering|Personation|Supply|Liquor|Resist|Obstruct|Prosecution|Disguise"
    r"|Counterfeit|Laundering|Extortion|Harassment|Voyeurism|Exploitation|Pornography|Luring"
    r"|Interference|Indecent|Stolen|Cannabis|Cocaine|Methamphetamine|Fentanyl|Heroin)"
)
# A person outside the police: "Jason Scott WOODHOUSE, 23", a list line, "arrested X Y".
CIVILIAN = (
    rf"\b(?!More\b|Less\b|Over\b|Under\b)[A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+)+{_INSTITUTION}"
    r",? (?:an? )?\(?\d{1,3}\b"
    rf"|\b(?!{NOT_A_NAME}\b)[A-Z][a-z]+ [A-Z]{{3,}}\b"
    rf"|^\s*[-•]\s*(?!.*\b{_CHARGE_WORD}\b)[A-Z][a-z]+(?: [A-Z][A-Za-z'’-]+){{1,3}}\s*$"
    r"|\b(?:arrested|charged|identified as|named)\s+[A-Z][a-z]+(?: [A-Z][A-Za-z'’-]+){1,3}"
)
# A charge written in title case, one of whose words is an offence's: "Possession of
# Property Obtained by Crime", "Break and Enter with Intent", "Fail to Comply with Conditions".
_LINK = r"(?:\s+(?:of|by|with|and|to|a|an|the|in|for|under|over|from|while|than))*\s+"
CHARGE_RUN = re.compile(rf"(?:[A-Z][\w’'-]*{_LINK})*{_CHARGE_WORD}\b(?:{_LINK}[A-Z0-9][\w’'-]*)*")
PERSON = re.compile(
    CIVILIAN + r"|\b(?:Superintendent|Inspector|Sergeant|Sgt\.|Constable"
    r"|Cst\.|Chief|Detective|Staff Sergeant|Mr\.|Ms\.|Mrs\.|Dr\.) [A-Z][a-z]+ [A-Z][a-z]+",
    re.MULTILINE,
)


MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
STREET = "Street|Avenue|Road|Drive|Boulevard|Bay|Crescent|Highway|Place|Lane|Way|Trail"
# The police, courts and places name themselves in every release; they are not the
# business, school or club a question asks the name of.
AGENCY = (
    r"Police|Services?|Units?|Division|Section|Patrol|Court|Crimes?|Investigators?"
    r"|Investigation|Team|Station|District|Justice|Department|Branch|Traffic|Homicide|General"
    r"|Operations|Officers?|Peace|RCMP|Mounted|Provincial|Headquarters|Hwy|St|Blvd|Ave"
)
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Counts written out ("seven people who had been stabbed"); not "one", which is rarely one.
NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety|hundreds?|dozens?|thousands?"
)
# People a question may ask the name of ("the name of the 56-year-old man").
PEOPLE = (
    r"(?:man|men|woman|women|boy|girl|victim|suspect|driver|officer|person|accused|youth|teen"
    r"|teenager|child|employee|parent|member|male|female|owner|teacher|student|worker|healer"
    r"|individual|pedestrian|cyclist|motorist|operator|resident|father|mother|son|daughter"
    r"|\d{1,3}[- ]years?[- ]old)s?"
)
# A name withheld: the release answers "who?" by saying it will not.
WITHHELD = re.compile(
    r"\b(?:names?|identit(?:y|ies))\b[^.]{0,60}?\b(?:(?:is|are|was|were|will) not (?:being |be )?"
    r"(?:released|disclosed|made public)|withheld|not been released)"
    r"|\bnot (?:be )?(?:releasing|identifying|naming)\b|\bwill not (?:name|identify)\b"
    r"|\bnot (?:yet )?(?:been )?(?:positively )?identified\b|\bundisclosed\b",
    re.I,
)
# Where someone was found or whether they were, asked of a release that only asks the
# public to help find them; and the cause of a death or a fire, asked of one that says it
# is not known.
ASKS_FOUND = re.compile(
    r"\b(?:was|were|has|have|had)\b[^?]*\b(?:found|located)\b"
    # "Where did police end up finding him?", not "where was he last seen | before police
    # appealed for help finding him?"
    r"|\bwhere\b(?:(?!\b(?:before|after|when|while)\b)[^?])*\b(?:found|located|find|finding"
    r"|locate)\b",
    re.I,
)
# An appeal for information, the whole sentence: what it says ("help police locate him")
# tells no outcome.
APPEAL = re.compile(
    r"^.*\b(?:anyone (?:who|with)|(?:is|are) (?:asked|urged|encouraged) to (?:contact|call)"
    r"|help (?:police )?(?:locate|find|identify))\b.*$",
    re.I | re.S,
)
# A release asking the public to help find someone.
APPEAL_TO_FIND = re.compile(
    r"\b(?:assistance|help)\b[^.]{0,30}?\b(?:locat|find)|\bhelp (?:police )?(?:locate|find)\b",
    re.I,
)
FOUND = re.compile(
    r"\b(?:located|found|arrested)\b|\bin(?:to)? (?:police )?custody\b"
    r"|\btaken into care\b",
    re.I,
)
# Charge names hold amounts that answer nothing: "Theft Under $5000", "Fraud Over $5,000".
CHARGE_AMOUNT = re.compile(r"\b(?:under|over|exceeding) \$\s?5,?000(?:\.00)?", re.I)

# Cities, provinces, states and countries a question may place an event in; the
# neighbourhoods and streets of a city are left to the words of the release.
PLACE_NAMES = (
    r"Winnipeg|Regina|Saskatoon|Brandon|Calgary|Edmonton|Vancouver|Victoria|Toronto"
    r"|Montreal|Ottawa|Halifax|Hamilton|Mississauga|Surrey|Kelowna|Lethbridge|Red Deer"
    r"|Moose Jaw|Prince Albert|Thunder Bay|Kenora|Steinbach|Selkirk|Portage la Prairie"
    r"|Thompson|Dauphin|Swift Current|Yorkton|North Battleford|Estevan|Weyburn"
    r"|Manitoba|Saskatchewan|Alberta|Ontario|Quebec|British Columbia|Nova Scotia"
    r"|New Brunswick|Newfoundland|Nunavut|Yukon|Northwest Territories|Canada|United States"
    r"|London|Manchester|Birmingham|Liverpool|Glasgow|Edinburgh|England|Scotland|Wales"
    r"|Minneapolis|Fargo|Grand Forks|Chicago|Seattle|New York|Los Angeles|Detroit"
    r"|Minnesota|North Dakota|Michigan|Montana|Alaska|Texas|California|Florida"
)
PLACES = re.compile(rf"\b(?:{PLACE_NAMES})\b")
# What an issuer's city implies without saying it.
IMPLIED = {
    "Winnipeg": ("Manitoba", "Canada"),
    "Regina": ("Saskatchewan", "Canada"),
    "London": ("England",),
}
# An outcome told as not come yet: "one year since Shane KOWERKO has been missing", "no
# arrests have been made", "the murder remains unsolved". (An appeal's "has been missing
# since Saturday" is not one: it says nothing of what came later.)
NO_OUTCOME_YET_WORDS = (
    r"\b(?:is|are) still (?:missing|outstanding|at large|being sought)\b"
    r"|\bremains? (?:missing|outstanding|at large|unsolved|unidentified)\b"
    r"|\b(?:has|have) (?:still )?not (?:yet )?been (?:located|found|arrested|charged|identified)\b"
    r"|\bno (?:one|arrests?|charges|suspects?) (?:has|have) (?:yet )?been\b"
    r"|\b(?:years?|months?) since\b[^.]{0,60}\b(?:missing|was last seen|killed|died|murder)\b"
    r"|\bcontinues? to (?:actively )?investigate\b"
    r"|\b(?:investigation|search) (?:is|remains) (?:still )?(?:ongoing|continuing|active)\b"
)
NO_OUTCOME_YET = re.compile(NO_OUTCOME_YET_WORDS, re.I)
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
# A figure told of a year before the one asked: "last year's plunge raised $40,000".
EARLIER_YEARS = re.compile(
    r"\b(?:last|previous|prior|past) (?:year|decade|\d+ years|few years|several years)\b"
    r"|\b(?:last|previous|prior) (?:year's|years')|\bsince (?:its inception|it began)\b",
    re.I,
)

# A place a question asks the name of ("the name of the gas station", "which car rental
# company"): the last of these words in the phrase is its head.
THING_WORDS = (
    r"school|business|company|store|shop|bar|restaurant|hotel|motel|club|nightclub|lounge"
    r"|cabaret|church|hospital|mall|organi[sz]ation|station|dealership|bank|pharmacy|casino"
    r"|daycare|centre|center|firm|agency|shelter|warehouse|venue|arena|rink|gym|salon|clinic"
    r"|website|web site|app|drive-thru|drive-through|pizzeria|cafe|café|diner|pub|tavern"
)
ASKS_THING = re.compile(
    rf"\bname of (?:the |a |an |this |that )?(?:[\w-]+ ){{0,3}}?({THING_WORDS})s?\b"
    rf"|\bwhich (?:(?!(?:is|was|were|did|does|do|has|have|had|the|a|an)\b)[\w-]+ ){{0,3}}?"
    rf"({THING_WORDS})s?\b"
    # "What electronic item was he buying?" of a release that says only "an electronic item".
    r"|\bwhat (?:[\w-]+ ){0,2}?(item|product|device|object)s?\b",
    re.I,
)
# The release names it: "the Petro-Canada gas station", "a company called X", "(X)".
THING_NAMED_BEFORE = re.compile(
    rf"(?<!\b[Aa] )(?<!\b[Aa]n )\b(?!(?:The|A|An|{PLACE_NAMES}|{AGENCY})\b)[A-Z][\w'’&-]*"
    r"(?: [A-Z][\w'’&-]*)*(?: (?!(?:a|an|the|at|in|on|of|to|from|near|by|with|and|or)\b)[a-z]+)"
    r"{0,2}\s+$"
)
THING_NAMED_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:named|called|known as|operating as)\s+[A-Z]|\s*\(\s*[A-Z]"
)

# "What kind of gun / which breed / what make of car": the kinds a release can name.
KIND_ASKED = (
    r"\bwhat (?:kind|type|sort|make|model|brand|calibre|caliber|colou?r) of (?:[\w-]+ ){0,2}?"
    r"(?:gun|firearm|handgun|rifle|pistol|weapon|vehicle|car|truck|pickup|van|suv|dog"
    r"|phone|device|electronics?)s?\b"
    r"|\b(?:what|which) breed\b|\bwhat (?:electronic|electronics) (?:item|device)\b"
    r"|\bwhat (?:[\w-]+ )?(?:gun|firearm|handgun|weapon|vehicle|car|truck|van)\b"
    r"(?= (?:was|were|did|had|has|is))"
)
# The kinds a release names, by what is asked of: a gun, a car, a colour, a dog, a device.
_GUNS = (
    r"(?:pellet|bb|airsoft|zip|replica|imitation|toy|sawed[- ]off|sawn[- ]off|semi-automatic"
    r"|automatic)\b|\b(?:hand ?gun|shot ?gun|rifle|pistol|revolver|carbine|ruger|glock"
    r"|smith (?:&|and) wesson|beretta|taurus|remington|winchester|mossberg|sks|ar-15"
    r"|calibre|caliber|\d{2,3} ?cal"
)
# ("Loaded" is how a gun was, not what kind; a knife is no kind of gun.)
KINDS = {
    "gun": f"{_GUNS})",
    "weapon": (
        rf"{_GUNS}|knife|knives|machete|hatchet|axe|sword|bat|hammer|crowbar"
        r"|screwdriver|bottle|bear spray|pepper spray|taser|syringe|brick|rock|pipe|stick"
        r"|club|scissors|box cutter)"
    ),
    "vehicle": (
        r"\b(?:ford|dodge|chevrolet|chevy|gmc|honda|toyota|nissan|hyundai|kia|mazda|chrysler"
        r"|jeep|pontiac|buick|cadillac|volkswagen|vw|bmw|mercedes|audi|subaru|mitsubishi|lexus"
        r"|acura|infiniti|ram|lincoln|saturn|oldsmobile|volvo|tesla|harley|econoline|caravan"
        r"|pickup|minivan|sedan|suv|hatchback|coupe|motorcycle|motorbike|scooter|[a-z]\d{2,4})"
    ),
    "colour": (
        r"\b(?:black|white|silver|grey|gray|red|blue|green|maroon|burgundy|gold|beige|brown"
        r"|tan|orange|yellow|purple)\b"
    ),
    "dog": (
        r"\b(?:bullmastiff|mastiff|pit ?bull|pitbull|shepherd|husky|terrier|retriever|labrador"
        r"|lab|rottweiler|boxer|poodle|chihuahua|beagle|bulldog|collie|doberman|dachshund"
        r"|malamute|shih tzu|pomeranian|corgi|great dane|spaniel|hound|cross|mixed breed)"
    ),
    "device": (
        r"\b(?:phone|cellphone|iphone|smartphone|laptop|computer|tablet|ipad|television|tv"
        r"|playstation|xbox|nintendo|console|camera|speaker|headphones|drone|watch)"
    ),
}
KIND_NAMED = "|".join(f"(?:{kind})" for kind in KINDS.values())
# Which kinds a "what kind of ..." question asks for, by its words; a colour first ("what
# colour of car" asks a colour, not a make).
KIND_CUES = (
    ("colour", r"colou?r"),
    ("dog", r"\bdogs?\b|breed"),
    ("device", r"phone|device|electronic"),
    ("gun", r"gun|firearm|rifle|pistol"),
    ("weapon", r"weapon"),
    ("vehicle", r"vehicle|\bcar\b|truck|pickup|\bvan\b|\bsuv\b"),
)

# "Forty year-old Robert MAYER": an age written out.
SPELLED_AGE = (
    r"\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three"
    r"|four|five|six|seven|eight|nine))?|(?:thir|four|fif|six|seven|eigh|nine)teen)"
)
# "Who was arrested?" of a youth, whom no release may name: "A 14-year-old male ... has
# been arrested" is the whole answer.
ASKS_WHO_ARRESTED = re.compile(
    r"\bwho (?:was|were|has been|have been|got) (?:\w+ )?(?:arrested|charged|caught)\b", re.I
)
YOUTH_ARRESTED = re.compile(
    r"\b(?:1[0-7]|(?:thir|four|fif|six|seven)teen)[- ]years?[- ]old (?:male|female|boy|girl"
    r"|youth|teen\w*)\b[^.]{0,80}?\b(?:arrested|charged)\b"
    r"|\b(?:youths?|young persons?)\b[^.]{0,60}?\b(?:arrested|charged)\b",
    re.I,
)
# "Who had thrown him in there?" may be answered without a name: "two adult males had
# thrown the boy into the dumpster" (a question asking for a name is not).
# "Who was charged?", "who has been arrested?" ask who it was: a name.
ASKS_WHO_UNNAMED = re.compile(
    r"^(?!.*\bnames?\b)(?!.*\bwho (?:was|were|is|are) (?:the|this|that|these|those)\b)"
    r".*\bwho (?!(?:was|were|is|are|will|(?:has|have|had) been)\b)",
    re.I | re.S,
)
DESCRIBED = re.compile(
    r"\b(?:two|three|four|five|several|a|an|one) (?:(?:adult|young|youth|teenage|unknown"
    r"|male|female|older|elderly) )*(?:males?|females?|men|women|youths?|teens?|teenagers?"
    r"|suspects?|boys?|girls?|persons?|individuals?)\b"
    r"|\b\d{1,3}[- ]years?[- ]old (?:male|female|man|woman|youth|boy|girl)\b"
    r"|\b(?:an?|the) (?:off-duty |on-duty |alert |passing )?(?-i:[A-Z]\w* ){0,3}(?:police )?"
    r"(?:officers?|citizens?"
    r"|passers?-?by|witness(?:es)?|neighbou?rs?|employees?|clerks?|security guards?"
    r"|members? of the public|good samaritans?|bystanders?|residents?|staff)\b",
    re.I,
)

# An officer named by rank ("Patrol Sergeant Saif Khan") is not the driver, victim or
# suspect a question asks the name of; only a question about police wants an officer.
OFFICER_NAMED = re.compile(
    r"\b(?:(?:Patrol |Staff |Detective )?(?:Sergeant|Sgt\.?)|Constable|Cst\.?|Inspector"
    r"|Insp\.?|(?:Deputy )?Chief|Superintendent|Supt\.?|Detective|Corporal|Cpl\.?)"
    r"(?: [A-Z][\w'’-]+){1,3}"
)
ASKS_POLICE = re.compile(
    r"\b(?:police|officers?|cops?|constables?|sergeants?|inspectors?|chief|detectives?"
    r"|spokes(?:person|man|woman)|corporals?|RCMP|investigators?)\b",
    re.I,
)
