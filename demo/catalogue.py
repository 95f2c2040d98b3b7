"""What the demo data set is made of: fictional organisations in Dalarna, the
coded distributions its participants and placements are drawn from, and the
texts of its casework. No real person or organisation is in it."""

from dataclasses import dataclass

from accounts.models import Unit
from casework.models import Outcome, ProgressNote
from participants.models import EducationLevel, Gender, LabourMarketStatus
from placements.models import Placement, Programme

# --- organisations -----------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseSpec:
    slug: str
    name: str
    municipality: str
    units: tuple[tuple[str, str], ...]
    share: float
    home_municipalities: tuple[str, ...]


ENTERPRISES = (
    EnterpriseSpec(
        "falun",
        "Gruvstadens Arbetsintegrerande Kooperativ",
        "Falun",
        (
            ("Kafé Kopparkitteln", Unit.Trade.CAFE),
            ("Återbruket Falun", Unit.Trade.SECOND_HAND),
            ("Snickarverkstaden", Unit.Trade.CARPENTRY),
        ),
        0.40,
        ("Falun", "Falun", "Falun", "Borlänge", "Säter"),
    ),
    EnterpriseSpec(
        "borlange",
        "Dalälvens Sociala Företag ek. för.",
        "Borlänge",
        (
            ("Butiken Andra Chansen", Unit.Trade.SECOND_HAND),
            ("Trädgård och utemiljö", Unit.Trade.GARDENING),
            ("Städ och fastighet", Unit.Trade.CLEANING),
            ("Lager och logistik", Unit.Trade.WAREHOUSE),
        ),
        0.35,
        ("Borlänge", "Borlänge", "Borlänge", "Gagnef", "Smedjebacken", "Ludvika"),
    ),
    EnterpriseSpec(
        "mora",
        "Siljansbygdens Arbetskooperativ",
        "Mora",
        (
            ("Sjökaféet", Unit.Trade.CAFE),
            ("Slöjd och snickeri", Unit.Trade.CARPENTRY),
        ),
        0.25,
        ("Mora", "Mora", "Orsa", "Älvdalen", "Rättvik"),
    ),
)
AGENCIES = (
    ("af", "Arbetsförmedlingen Falun", "Falun", 0.6),
    ("mora-ame", "Mora kommun, arbetsmarknadsenheten", "Mora", 0.3),
)
FUNDER = ("region", "Region Dalarna", "Falun")
COUNTY = "Dalarna"
POSTCODE_PREFIX = {
    "Falun": "791",
    "Borlänge": "784",
    "Säter": "783",
    "Gagnef": "785",
    "Smedjebacken": "777",
    "Ludvika": "771",
    "Mora": "792",
    "Orsa": "794",
    "Älvdalen": "796",
    "Rättvik": "795",
}

# --- coded distributions -------------------------------------------------------

GENDERS = (
    (Gender.WOMAN, 44),
    (Gender.MAN, 51),
    (Gender.NON_BINARY, 2),
    (Gender.NOT_STATED, 3),
)
AGE_BANDS = (((18, 29), 28), ((30, 54), 55), ((55, 64), 17))
EDUCATION = (
    (EducationLevel.ISCED_0_2, 36),
    (EducationLevel.ISCED_3_4, 44),
    (EducationLevel.ISCED_5_8, 12),
    (EducationLevel.UNKNOWN, 8),
)
LABOUR_MARKET = (
    (LabourMarketStatus.LONG_TERM_UNEMPLOYED, 50),
    (LabourMarketStatus.UNEMPLOYED, 20),
    (LabourMarketStatus.INACTIVE, 25),
    (LabourMarketStatus.EMPLOYED, 5),
)
STATUSES = (
    (Placement.Status.REFERRED, 8),
    (Placement.Status.PLANNED, 7),
    (Placement.Status.ACTIVE, 45),
    (Placement.Status.PAUSED, 5),
    (Placement.Status.ENDED, 35),
)
PROGRAMMES = (
    (Programme.WORK_TRAINING, 40),
    (Programme.ENHANCED_WORK_TRAINING, 15),
    (Programme.VOCATIONAL_REHABILITATION, 20),
    (Programme.INTERNSHIP, 10),
    (Programme.WAGE_SUBSIDY, 5),
    (Programme.ESF_PROJECT, 10),
)
#: (weekdays, hours a day): whole hours, so a week never exceeds its scope.
SCHEDULES = (
    (("12345", 4), 20),
    (("12345", 6), 15),
    (("1234", 5), 25),
    (("1234", 6), 10),
    (("123", 4), 15),
    (("135", 4), 10),
    (("12345", 8), 5),
)
OUTCOMES = (
    (Outcome.EMPLOYED, 15),
    (Outcome.EMPLOYED_SUBSIDISED, 15),
    (Outcome.SELF_EMPLOYED, 2),
    (Outcome.STUDIES, 12),
    (Outcome.JOB_SEEKING, 20),
    (Outcome.OTHER_PROGRAMME, 12),
    (Outcome.SICK_LEAVE, 12),
    (Outcome.MOVED, 4),
    (Outcome.UNKNOWN, 8),
)
NOTE_KINDS = (
    (ProgressNote.Kind.OBSERVATION, 50),
    (ProgressNote.Kind.CONVERSATION, 30),
    (ProgressNote.Kind.MILESTONE, 12),
    (ProgressNote.Kind.INCIDENT, 8),
)

# --- texts (fictional, generic) ------------------------------------------------

FOREIGN_GIVEN_WOMEN = ("Amina", "Fatima", "Hodan", "Leila", "Mariam", "Nour", "Semhar", "Zahra")
FOREIGN_GIVEN_MEN = ("Abdi", "Ahmed", "Ali", "Aziz", "Dawit", "Hassan", "Omar", "Yusuf")
FOREIGN_FAMILY = (
    "Abdullahi",
    "Haile",
    "Hosseini",
    "Karimi",
    "Mohamed",
    "Nowak",
    "Rahimi",
    "Tesfay",
    "Yilmaz",
)
SUPPORT_NEEDS = (
    "",
    "",
    "Behöver korta pauser och tydliga instruktioner.",
    "Ryggbesvär; undvik tunga lyft.",
    "Koncentrationssvårigheter; fungerar bäst med en uppgift i taget.",
    "Social oro; introduceras gradvis i arbetslaget.",
    "Behöver stöd i svenska språket vid skriftliga instruktioner.",
    "Nedsatt hörsel; tala tydligt och vänd dig mot personen.",
)
PLAN_GOALS = (
    "Komma upp i 75 % av heltid och klara arbetsuppgifterna självständigt.",
    "Pröva arbetsförmågan inom service och få en tydlig bild av vad som fungerar.",
    "Bygga upp rutiner och uthållighet inför anställning med stöd.",
    "Få arbetslivserfarenhet och en referens inför jobbsökande.",
)
REFERRAL_REASONS = (
    "Långvarigt arbetslös sedan 2022 och behöver pröva arbetsförmågan i en lugn miljö.",
    "Har varit sjukskriven i ett år och vill stegvis tillbaka till arbete.",
    "Nyanländ, behöver svensk arbetslivserfarenhet och språkträning på arbetsplatsen.",
)
PLAN_TASKS = (
    "Kassa, servering och disk i kaféet.",
    "Sortering, prismärkning och butiksarbete.",
    "Enklare snickeriarbeten, slipning och ytbehandling.",
    "Trädgårdsskötsel, plantering och gräsklippning.",
    "Lokalvård och enklare fastighetsskötsel.",
    "Varumottagning, plock och packning.",
)
PAUSE_REASONS = (
    "Sjukskriven enligt läkarintyg.",
    "Föräldraledig några veckor.",
    "Uppehåll som avtalats med handläggaren.",
    "Flyttar och behöver ordna boendet först.",
)
PLAN_SUPPORT = (
    "Handledare på plats varje dag; avstämning varje fredag.",
    "Anpassat schema med start kl. 9; samtal varannan vecka.",
    "Stöd med struktur och skriftliga checklistor.",
)
GOALS = (
    "Komma i tid varje arbetsdag under en månad.",
    "Klara öppning av kaféet på egen hand.",
    "Öka arbetstiden med fem timmar i veckan.",
    "Ta truckkort.",
    "Skriva ett CV och söka tre jobb.",
    "Genomföra hygienutbildning för livsmedel.",
    "Hantera kassan självständigt en hel dag.",
    "Delta i arbetsplatsträffen och ta upp en fråga.",
    "Ringa in sjukanmälan enligt rutinen.",
)
NOTES = {
    ProgressNote.Kind.OBSERVATION: (
        "Arbetade jämnt hela passet och tog egna initiativ.",
        "Trött under eftermiddagen, behövde extra paus.",
        "Samarbetade bra med kollegorna i packningen.",
        "Tog emot instruktioner och följde checklistan.",
    ),
    ProgressNote.Kind.CONVERSATION: (
        "Avstämningssamtal: trivs med uppgifterna, vill pröva kassan.",
        "Samtal om sömn och rutiner; kommer att pröva senare start.",
        "Pratade om mål efter praktiken; intresserad av studier.",
    ),
    ProgressNote.Kind.MILESTONE: (
        "Öppnade kaféet på egen hand för första gången.",
        "Har nu klarat full planerad tid tre veckor i rad.",
        "Fick godkänt på hygienutbildningen.",
    ),
    ProgressNote.Kind.INCIDENT: (
        "Mindre konflikt med en kollega, löstes i samtal samma dag.",
        "Lämnade arbetet tidigt utan att meddela; följs upp.",
    ),
}
REVIEWS = (
    "Uppföljning med deltagare och handledare. Utvecklingen går åt rätt håll.",
    "Närvaron har ökat. Fortsatt fokus på uthållighet.",
    "Deltagaren vill pröva fler arbetsuppgifter; planen justeras.",
    "Hälsan har varit ett hinder; tempot anpassas.",
)
EXIT_COMMENTS = (
    "",
    "Avslut enligt plan.",
    "Avslut efter gemensamt beslut vid uppföljning.",
    "Fick erbjudande om anställning.",
)
ASSESSMENT_COMMENTS = ("", "Skattat tillsammans med deltagaren.", "Skattning vid avstämning.")

#: The consent wordings the demo starts with (purpose → title, wording), written for the demo.
CONSENT_WORDINGS = {
    "processing": (
        "Behandling av personuppgifter",
        "Jag har fått information om vilka uppgifter om mig som registreras under min tid "
        "hos verksamheten, varför de behövs och hur länge de sparas.",
    ),
    "share_with_agency": (
        "Uppgifter om hälsa till remitterande myndighet",
        "Jag samtycker till att min handläggare hos den myndighet som remitterat mig får ta "
        "del av uppgifter om mitt stödbehov och min hälsa, så länge min placering pågår. "
        "Jag kan när som helst ta tillbaka mitt samtycke.",
    ),
    "share_with_funder": (
        "Registrering i finansiärens uppföljningssystem",
        "Jag samtycker till att uppgifter om mig registreras i finansiärens "
        "uppföljningssystem (till exempel SUS) för uppföljning av insatsen.",
    ),
    "media": (
        "Foto och film",
        "Jag samtycker till att bilder, film och citat där jag medverkar används i "
        "verksamhetens egen information, till exempel på webbplatsen.",
    ),
    "contact_after_exit": (
        "Kontakt efter avslut",
        "Jag samtycker till att verksamheten kontaktar mig efter avslutad placering, efter "
        "28 dagar och sex månader, för att fråga hur det går.",
    ),
}
