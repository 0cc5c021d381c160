"""Counties, ZIP codes and area codes the synthetic voters live in.

ZIP codes and cities are real (checked against the `zipcodes` package) so that ZIP to time
zone lookups work downstream; Escambia (850, Central time) next to Leon (850, Eastern)
exercises an area code that spans two zones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    state: str
    code: str  # NC county_id ("92") or FL county code ("DAD")
    name: str
    weight: float  # share of the state's households
    area_codes: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (ZIP, city)
    hispanic_share: float
    ncid_prefix: str = ""


def _places(city_zips: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((zip_code, city) for city, zips in city_zips.items() for zip_code in zips.split())


NC_COUNTIES = (
    County("NC", "92", "WAKE", 0.30, ("919", "984"), _places({
        "RALEIGH": "27601 27603 27604 27605 27606 27607 27608 27609 27610 27612 27613 27614 27615 27616 27617",
        "CARY": "27513 27519", "APEX": "27502", "GARNER": "27529", "HOLLY SPRINGS": "27540",
        "WAKE FOREST": "27587", "WENDELL": "27591", "ZEBULON": "27597", "KNIGHTDALE": "27545",
    }), 0.08, "EH"),
    County("NC", "60", "MECKLENBURG", 0.28, ("704", "980"), _places({
        "CHARLOTTE": "28202 28203 28204 28205 28206 28207 28208 28209 28210 28211 28212 28213 "
                     "28214 28215 28216 28217 28226 28227 28262 28269 28270 28277",
        "CORNELIUS": "28031", "HUNTERSVILLE": "28078", "MATTHEWS": "28105",
    }), 0.10, "CW"),
    County("NC", "41", "GUILFORD", 0.12, ("336", "743"), _places({
        "GREENSBORO": "27401 27403 27405 27406 27407 27408 27410 27455", "HIGH POINT": "27260 27262 27265",
    }), 0.05, "BY"),
    County("NC", "32", "DURHAM", 0.09, ("919", "984"), _places({
        "DURHAM": "27701 27703 27704 27705 27707 27712 27713",
    }), 0.09, "DA"),
    County("NC", "11", "BUNCOMBE", 0.07, ("828",), _places({
        "ASHEVILLE": "28801 28803 28804 28805 28806", "CANDLER": "28715", "ARDEN": "28704",
        "SWANNANOA": "28778",
    }), 0.04, "AS"),
    County("NC", "65", "NEW HANOVER", 0.06, ("910",), _places({
        "WILMINGTON": "28401 28403 28405 28409 28411 28412", "CAROLINA BEACH": "28428", "KURE BEACH": "28449",
    }), 0.04, "CP"),
    County("NC", "74", "PITT", 0.05, ("252",), _places({
        "GREENVILLE": "27834 27858", "FARMVILLE": "27828", "GRIMESLAND": "27837",
    }), 0.04, "DT"),
    # Written in the pre-2022 71-column layout: a small, older county extract.
    County("NC", "1", "ALAMANCE", 0.01, ("336", "743"), _places({
        "BURLINGTON": "27215 27217", "GRAHAM": "27253", "HAW RIVER": "27258", "ELON": "27244",
    }), 0.07, "AA"),
)
NC_OLD_LAYOUT_COUNTY = "1"

FL_COUNTIES = (
    County("FL", "DAD", "Miami-Dade", 0.20, ("305", "786"), _places({
        "Miami": "33125 33126 33130 33133 33135 33142 33155 33165 33175 33186",
        "Miami Beach": "33139", "Hialeah": "33010 33012",
    }), 0.65),
    County("FL", "BRO", "Broward", 0.13, ("954",), _places({
        "Fort Lauderdale": "33301 33311 33312 33324", "Hollywood": "33021 33024", "Coral Springs": "33065",
    }), 0.30),
    County("FL", "PAL", "Palm Beach", 0.10, ("561",), _places({
        "West Palm Beach": "33401 33411", "Boca Raton": "33431", "Boynton Beach": "33435",
        "Lake Worth Beach": "33460",
    }), 0.22),
    County("FL", "HIL", "Hillsborough", 0.10, ("813",), _places({
        "Tampa": "33602 33603 33604 33610 33647", "Brandon": "33511",
    }), 0.28),
    County("FL", "ORA", "Orange", 0.09, ("407", "321"), _places({
        "Orlando": "32801 32803 32806 32807 32822 32825 32839",
    }), 0.33),
    County("FL", "DUV", "Duval", 0.07, ("904",), _places({
        "Jacksonville": "32202 32205 32207 32210 32211 32216 32246",
    }), 0.10),
    County("FL", "PIN", "Pinellas", 0.07, ("727",), _places({
        "St Petersburg": "33701 33704", "Clearwater": "33755 33756", "Largo": "33770",
    }), 0.10),
    County("FL", "LEE", "Lee", 0.05, ("239",), _places({
        "Fort Myers": "33901 33912", "Cape Coral": "33904 33990",
    }), 0.22),
    County("FL", "BRE", "Brevard", 0.04, ("321",), _places({
        "Melbourne": "32901 32904 32940", "Titusville": "32780",
    }), 0.11),
    County("FL", "VOL", "Volusia", 0.04, ("386",), _places({
        "Daytona Beach": "32114 32117", "Deland": "32720", "Port Orange": "32127",
    }), 0.14),
    County("FL", "SAR", "Sarasota", 0.03, ("941",), _places({
        "Sarasota": "34231 34232 34236", "Venice": "34285",
    }), 0.09),
    County("FL", "STL", "St. Lucie", 0.02, ("772",), _places({
        "Fort Pierce": "34950", "Port St Lucie": "34952 34953 34983",
    }), 0.20),
    County("FL", "ALA", "Alachua", 0.02, ("352",), _places({
        "Gainesville": "32601 32603 32605 32607 32608",
    }), 0.11),
    County("FL", "LEO", "Leon", 0.02, ("850",), _places({
        "Tallahassee": "32301 32303 32304 32308 32312",
    }), 0.07),
    County("FL", "ESC", "Escambia", 0.02, ("850",), _places({
        "Pensacola": "32501 32503 32505 32506 32514",
    }), 0.06),
)
# Written in Latin-1 (the other voter files are UTF-8); Orange has many accented names.
FL_LATIN1_COUNTY = "ORA"
# Reports `N` (did not vote) history rows, which the other counties leave out.
FL_NON_VOTER_REPORTING_COUNTY = "LEO"

# Area codes of voters who kept a number from another state. 317 IN, 612 MN and 701 ND need
# consent for prerecorded calls; 603 NH numbers on the federal DNC list are excluded.
OUT_OF_STATE_AREA_CODES = ("317", "612", "701", "603", "212", "415", "202", "404", "312", "617")
TOLL_FREE_AREA_CODES = ("800", "833", "844", "855", "866", "877", "888")

ALL_COUNTIES = NC_COUNTIES + FL_COUNTIES
HOME_AREA_CODES = tuple(sorted({code for county in ALL_COUNTIES for code in county.area_codes}))
