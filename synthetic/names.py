"""Name, street and occupation vocabularies.

Weights are rough relative frequencies. Hispanic names come in both spellings ("Muñoz" and
"Munoz") because sources disagree on accents; every character is in Latin-1 so that any
voter file can be written in that encoding.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class NameGroup:
    """A slice of a shared vocabulary with its own frequencies."""

    offset: int
    weights: np.ndarray

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        picks = rng.choice(len(self.weights), size=size, p=self.weights / self.weights.sum())
        return (picks + self.offset).astype(np.int32)


class Vocabulary:
    """Concatenated word lists; people store int32 indices into `words`."""

    def __init__(self) -> None:
        self.words: list[str] = []

    def group(self, spec: str) -> NameGroup:
        """`spec` holds `word:weight` items separated by commas (weight defaults to 1)."""
        offset = len(self.words)
        weights = []
        for item in spec.split(","):
            word, _, weight = item.strip().partition(":")
            self.words.append(word)
            weights.append(float(weight or 1))
        return NameGroup(offset, np.array(weights))


FIRST_NAMES = Vocabulary()
FEMALE_FIRST = FIRST_NAMES.group(
    "Mary:30, Patricia:20, Jennifer:22, Linda:18, Elizabeth:18, Barbara:14, Susan:14, Jessica:16, "
    "Sarah:16, Karen:12, Lisa:12, Nancy:10, Betty:8, Sandra:10, Margaret:10, Ashley:14, Kimberly:12, "
    "Emily:14, Donna:8, Michelle:12, Carol:8, Amanda:12, Melissa:11, Deborah:8, Stephanie:11, "
    "Rebecca:10, Sharon:8, Laura:10, Cynthia:8, Dorothy:6, Amy:9, Angela:10, Helen:5, Anna:8, "
    "Brenda:7, Pamela:7, Emma:9, Nicole:9, Samantha:8, Katherine:8, Christine:7, Debra:6, Rachel:8, "
    "Carolyn:6, Janet:6, Catherine:6, Maria:8, Heather:7, Diane:6, Olivia:8, Julie:7, Joyce:5, "
    "Victoria:6, Kelly:6, Christina:6, Lauren:7, Joan:4, Evelyn:4, Judith:5, Megan:6, Andrea:5, "
    "Cheryl:5, Hannah:6, Jacqueline:5, Martha:4, Gloria:4, Teresa:5, Ann:5, Sara:5, Madison:5, "
    "Frances:3, Kathryn:4, Janice:4, Jean:4, Abigail:4, Alice:3, Judy:3, Sophia:5, Grace:4, "
    "Denise:4, Amber:4, Doris:3, Marilyn:3, Danielle:4, Beverly:3, Isabella:4, Theresa:3, Diana:3, "
    "Natalie:4, Brittany:4, Charlotte:3, Marie:3, Kayla:3, Alexis:3, Lori:3, LaToya:2, Keisha:2, "
    "Shaniqua:1, Zoë:2, Chloé:1, Renée:2, Noëlle:1, Zoe:3"
)
MALE_FIRST = FIRST_NAMES.group(
    "James:30, Robert:28, John:28, Michael:28, David:24, William:24, Richard:18, Joseph:18, "
    "Thomas:18, Christopher:18, Charles:16, Daniel:18, Matthew:16, Anthony:14, Mark:14, Donald:12, "
    "Steven:13, Paul:11, Andrew:12, Joshua:12, Kenneth:10, Kevin:11, Brian:11, George:10, Timothy:9, "
    "Ronald:9, Edward:8, Jason:10, Jeffrey:9, Ryan:9, Jacob:9, Gary:7, Nicholas:8, Eric:8, "
    "Jonathan:8, Stephen:7, Larry:6, Justin:7, Scott:7, Brandon:7, Benjamin:7, Samuel:6, Gregory:6, "
    "Alexander:6, Frank:6, Patrick:6, Raymond:5, Jack:5, Dennis:5, Jerry:5, Tyler:5, Aaron:5, "
    "Henry:4, Douglas:4, Adam:5, Peter:4, Nathan:4, Zachary:4, Walter:4, Kyle:4, Harold:3, Carl:3, "
    "Jeremy:4, Keith:4, Roger:3, Gerald:3, Ethan:4, Arthur:3, Terry:3, Christian:4, Sean:4, "
    "Lawrence:3, Austin:3, Joe:3, Noah:3, Jesse:3, Albert:2, Bryan:3, Billy:2, Bruce:2, Willie:3, "
    "Jordan:3, Dylan:3, Alan:2, Ralph:2, Gabriel:3, Roy:2, Juan:3, Wayne:2, Eugene:2, Logan:2, "
    "Randy:2, Louis:2, Russell:2, Vincent:2, Philip:2, Bobby:2, Johnny:2, DeShawn:2, Tyrone:2, "
    "Darnell:2, André:2, Andre:2, Noël:1"
)
HISPANIC_FEMALE_FIRST = FIRST_NAMES.group(
    "María:14, Maria:10, Ana:6, Lucía:4, Lucia:3, Sofía:4, Sofia:4, Carmen:6, Rosa:5, Isabel:4, "
    "Mónica:3, Monica:3, Verónica:3, Veronica:3, Inés:2, Ines:2, Guadalupe:3, Daniela:4, "
    "Valentina:3, Camila:3, Gabriela:4, Alejandra:3, Yolanda:3, Marisol:2, Beatriz:2"
)
HISPANIC_MALE_FIRST = FIRST_NAMES.group(
    "José:14, Jose:10, Luis:8, Carlos:8, Jesús:5, Jesus:4, Juan:8, Miguel:6, Raúl:3, Raul:3, "
    "Ángel:3, Angel:4, Héctor:3, Hector:3, Ramón:3, Ramon:3, Joaquín:2, Joaquin:2, Martín:2, "
    "Martin:2, Rubén:2, Ruben:2, Jorge:5, Alejandro:4, Francisco:4, Pedro:4, Manuel:4, Germán:1"
)

LAST_NAMES = Vocabulary()
SURNAMES = LAST_NAMES.group(
    "Smith:100, Johnson:80, Williams:70, Brown:65, Jones:62, Miller:50, Davis:50, Wilson:35, "
    "Anderson:32, Taylor:32, Thomas:31, Moore:29, Jackson:29, Martin:28, Lee:27, Thompson:25, "
    "White:25, Harris:24, Clark:21, Lewis:20, Robinson:20, Walker:20, Young:18, Allen:18, King:18, "
    "Wright:18, Scott:17, Hill:17, Green:17, Adams:16, Baker:16, Nelson:15, Carter:15, Mitchell:15, "
    "Roberts:14, Turner:14, Phillips:13, Campbell:13, Parker:13, Evans:12, Edwards:12, Collins:12, "
    "Stewart:12, Morris:11, Murphy:11, Cook:11, Rogers:11, Morgan:10, Cooper:10, Peterson:10, "
    "Bailey:10, Reed:10, Kelly:10, Howard:9, Cox:9, Ward:9, Richardson:9, Watson:9, Brooks:9, "
    "Wood:9, James:9, Bennett:8, Gray:8, Hughes:8, Price:8, Sanders:8, Myers:8, Long:8, Ross:8, "
    "Foster:8, Powell:7, Jenkins:7, Perry:7, Russell:7, Sullivan:7, Bell:7, Coleman:7, Butler:7, "
    "Henderson:7, Barnes:7, Fisher:6, Simmons:6, Graham:6, Wallace:6, Hayes:6, Bryant:6, "
    "Alexander:5, Griffin:5, Hamilton:5, Ford:5, Patterson:5, Jordan:5, Reynolds:5, Washington:5, "
    "Hunt:4, McDonald:4, McMillan:3, O'Brien:4, O'Neal:3, Nguyen:6, Tran:3, Kim:4, Patel:5, Shah:2, "
    "Chen:3, Wang:3, Singh:3, Dubois:1, Lefèvre:1, Brontë:1, Faÿ:1, Hyde-Lee:1, St. John:1, "
    "Van Buren:1"
)
HISPANIC_SURNAMES = LAST_NAMES.group(
    "García:12, Garcia:14, Rodríguez:10, Rodriguez:12, Martínez:9, Martinez:10, Hernández:9, "
    "Hernandez:10, López:8, Lopez:9, González:8, Gonzalez:9, Pérez:7, Perez:8, Sánchez:6, Sanchez:7, "
    "Ramírez:6, Ramirez:7, Torres:7, Flores:7, Rivera:7, Gómez:5, Gomez:5, Díaz:5, Diaz:6, Cruz:5, "
    "Morales:5, Reyes:5, Gutiérrez:3, Gutierrez:4, Ortiz:4, Muñoz:4, Munoz:4, Peña:3, Pena:3, "
    "Núñez:3, Nunez:3, Ibáñez:2, Ibanez:2, Álvarez:3, Alvarez:4, Castañeda:2, Castaneda:2, "
    "Ordóñez:2, Ordonez:2, Suárez:2, Suarez:2, Fernández:3, Fernandez:3, De la Cruz:2"
)



def any_first_names(rng: np.random.Generator, size: int) -> np.ndarray:
    """First names of people outside the voter file, either sex."""
    return np.where(rng.random(size) < 0.5, FEMALE_FIRST.draw(rng, size), MALE_FIRST.draw(rng, size))


NAME_SUFFIXES = ("", "JR", "SR", "II", "III", "IV")
NAME_SUFFIX_WEIGHTS = (965, 20, 8, 4, 2, 1)

STREET_NAMES = (
    "MAIN", "OAK", "PINE", "MAPLE", "CEDAR", "ELM", "WASHINGTON", "LAKE", "HILL", "PARK", "WALNUT",
    "SUNSET", "HIGHLAND", "CHURCH", "RIDGE", "FOREST", "MILL", "SPRING", "MEADOW", "DOGWOOD",
    "MAGNOLIA", "HICKORY", "WILLOW", "CHESTNUT", "JEFFERSON", "LINCOLN", "FRANKLIN", "MADISON",
    "MARTIN LUTHER KING JR", "RIVER", "CREEKSIDE", "FAIRVIEW", "GLENWOOD", "HILLSBOROUGH",
    "PEACHTREE", "PALMETTO", "CORAL", "BISCAYNE", "OCEAN", "BAY", "HARBOR", "PELICAN", "MANGROVE",
    "SEMINOLE", "CYPRESS", "ORANGE", "HIBISCUS", "LAUREL", "POPLAR", "SYCAMORE", "COUNTRY CLUB",
    "OLD WAKE FOREST", "SIX FORKS", "PROVIDENCE", "TRYON", "INDEPENDENCE", "BLUE RIDGE", "MOUNTAIN VIEW",
    "PEÑA", "SAINT CLAIR",
)
STREET_TYPES = ("ST", "RD", "AVE", "DR", "LN", "CT", "WAY", "BLVD", "PL", "CIR", "TRL", "PKWY")
STREET_TYPE_WEIGHTS = (22, 20, 14, 16, 8, 7, 4, 3, 2, 2, 1, 1)
STREET_DIRECTIONS = ("", "N", "S", "E", "W", "NW", "SE")
STREET_DIRECTION_WEIGHTS = (80, 5, 5, 4, 4, 1, 1)

OCCUPATIONS = (
    "Teacher", "Retired", "Not Employed", "Attorney", "Nurse", "Software Engineer", "Physician",
    "Sales", "Manager", "Consultant", "Professor", "Accountant", "Homemaker", "Student", "Engineer",
    "Small Business Owner", "Social Worker", "Pastor", "Electrician", "Writer",
)
EMPLOYERS = (
    "Retired", "Not Employed", "Self-Employed", "Wake County Public Schools", "Duke University",
    "Atrium Health", "Bank of America", "UNC Health", "Publix", "Acme Widgets, Inc.",
    "Smith & Jones, LLP", "State of North Carolina", "Miami-Dade County", "NextEra Energy",
    "Florida State University", "Lowe's", "Red Hat", "Self", "None", "Carolina Consulting, LLC",
)


def ascii_fold(text: str) -> str:
    """José -> Jose: email addresses and user names carry no accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Reserved example domains: generated addresses can never reach a real mailbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


def email_addresses(first: np.ndarray, last: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """'jose.munoz42@example.com' from FIRST_NAMES and LAST_NAMES indices."""
    def local_part(words: list[str]) -> pa.Array:
        return pa.array([ascii_fold(w).lower().replace(" ", "").replace("'", "") for w in words], pa.string())

    size = len(first)
    return pc.binary_join_element_wise(
        local_part(FIRST_NAMES.words).take(pa.array(first)), ".",
        local_part(LAST_NAMES.words).take(pa.array(last)),
        pc.cast(pa.array(rng.integers(1, 100, size)), pa.string()), "@",
        pa.array(EMAIL_DOMAINS).take(pa.array(rng.integers(0, len(EMAIL_DOMAINS), size))), "",
    )
