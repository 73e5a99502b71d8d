"""The public files milbal knows: where each is published, its pinned sha256, licence and kind.

A hash can only be pinned to a file that never changes, so each URL is the raw file at a pinned
commit of the public repository the reference manifest names for it; `page` is the publisher's
own page, for a newer edition (`milbal import` takes that file). A file's registry `name` is the
path it has under the reference data folder (and under a mirror, MILBAL_FETCH_MIRROR).

`embedded` marks the openly licensed files whose tidy tables ship in datasets/world/, built by
`milbal build-datasets`; the others (GFP, GMI, SIPRI: no redistribution) stay import-only.
"""

from __future__ import annotations

from dataclasses import dataclass

_RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class PublicFile:
    """One file of a public dataset at a pinned commit."""

    name: str  # path under the reference data folder and a mirror: "cow_nmc/NMC-60-abridged.csv"
    url: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PublicDataset:
    """What `milbal fetch KEY` downloads and imports: one file, or the files of a folder kind."""

    key: str  # the name a user types: `milbal fetch nmc`
    kind: str  # the importer
    files: tuple[PublicFile, ...]
    publisher: str
    licence: str
    page: str
    adds: str
    embedded: bool = False

    @property
    def folder(self) -> str | None:
        """For a folder kind (cdb90): the folder under the reference data that holds its files."""
        if self.kind != "cdb90":
            return None
        return self.files[0].name.split("/", 1)[0]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def _file(name: str, repo: str, commit: str, path: str, sha256: str, size: int) -> PublicFile:
    return PublicFile(name, f"{_RAW}/{repo}/{commit}/{path}", sha256, size)


_CDB90 = ("jrnold/CDB90", "e0b35ec4d798cec3bb4e6970c0f6bb7aa69e2f4c")
_OWID = ("PilliSiddharth/My_repository", "a338390a9184c77cbd5a6ab0fecfc856844650f8")
_WDI_PAGE = "https://data.worldbank.org/indicator/"

DATASETS: tuple[PublicDataset, ...] = (
    PublicDataset(
        key="wdi-personnel",
        kind="wdi",
        files=(
            _file(
                "worldbank_owid/armed-forces-personnel.csv",
                *_OWID,
                "armed-forces-personnel.csv",
                "60dc998b9393d98ad67d56e4bf05637eb69871129ee1b8980aa4380c7f30cfe8",
                163180,
            ),
        ),
        publisher="World Bank (WDI MS.MIL.TOTL.P1) via Our World in Data",
        licence="CC BY 4.0",
        page=_WDI_PAGE + "MS.MIL.TOTL.P1",
        adds="armed forces personnel, ~170 countries, 1985-2016 (manpower: total_military)",
        embedded=True,
    ),
    PublicDataset(
        key="wdi-milex-share-gdp",
        kind="wdi",
        files=(
            _file(
                "worldbank_owid/military-expenditure-as-share-of-gdp.csv",
                *_OWID,
                "military-expenditure-as-share-of-gdp.csv",
                "c50d2c3c6b3112f709bdda26496b113228d9fd727f035c7c4941c16842f3c99d",
                346385,
            ),
        ),
        publisher="World Bank (WDI MS.MIL.XPND.GD.ZS) via Our World in Data",
        licence="CC BY 4.0",
        page=_WDI_PAGE + "MS.MIL.XPND.GD.ZS",
        adds="military spending as a share of GDP, 1960-2017",
        embedded=True,
    ),
    PublicDataset(
        key="nmc",
        kind="nmc",
        files=(
            _file(
                "cow_nmc/NMC-60-abridged.csv",
                "jcook125/Slide-Deck-Rmd",
                "6792e68e819306c676ba2707fc80259842d815cd",
                "NMC-60-abridged.csv",
                "cd8465ea476da51d3e91261e216e96cfaf1fbf309dbe6bfc25a99bfb9fa7cfde",
                920464,
            ),
        ),
        publisher="Correlates of War Project (National Material Capabilities v6.0)",
        licence="COW terms: free to use with citation",
        page="https://correlatesofwar.org/data-sets/national-material-capabilities/",
        adds="military personnel, spending and CINC per state, 1816-2016",
        embedded=True,
    ),
    PublicDataset(
        key="cdb90",
        kind="cdb90",
        files=(
            _file(
                "cdb90/battles.csv",
                *_CDB90,
                "data/battles.csv",
                "5746563869cd2b9f01ebc59ffb3bd01c1bdfa72b8675f89e50d61b6f5bacce68",
                192722,
            ),
            _file(
                "cdb90/belligerents.csv",
                *_CDB90,
                "data/belligerents.csv",
                "06710007912656a8b0257582f6fbb480af005bef922bfb27ff7c7ef0934f7e08",
                176505,
            ),
            _file(
                "cdb90/terrain.csv",
                *_CDB90,
                "data/terrain.csv",
                "9e10a5205c6c87893a413b9143b4eefb9564eb9d30f911fc7ed044f64fc0bc88",
                11734,
            ),
            _file(
                "cdb90/src-data/CDB90-patched.csv",
                *_CDB90,
                "src-data/CDB90/CDB90-patched.csv",
                "b630c24b8f938ce6db6485315dc1a470aeb951b39cf5b65621416a08225fe50a",
                436591,
            ),
        ),
        publisher="US Army Concepts Analysis Agency (CDB90); data package by Jeffrey B. Arnold",
        licence="ODC-BY (data package); original CAA files public domain",
        page="https://github.com/jrnold/CDB90",
        adds="660 battles with strengths, outcome and terrain, for /history",
        embedded=True,
    ),
    PublicDataset(
        key="gmi",
        kind="gmi",
        files=(
            _file(
                "gmi/gmi_wri_combined_1990_2022.csv",
                "ArtificialIntellicat/composite-risk-explorer-gmi-wri",
                "26f5aaede2e5b0a397b197e9b606378469790bd8",
                "ml/data_proc/combined.csv",
                "6e71c27558a4ca1820c9ab9e32e16a1724daf2fcb7478115dc107e350a13d7e7",
                628099,
            ),
        ),
        publisher="Bonn International Center for Conversion (BICC), Global Militarisation Index",
        licence="© BICC; no redistribution (import only)",
        page="https://gmi.bicc.de/",
        adds="GMI revised all-years series: score and rank, 164 countries, 1990-2022",
    ),
    PublicDataset(
        key="sipri-2021",
        kind="sipri",
        files=(
            _file(
                "sipri/SIPRI-Milex-data-1949-2020_0.xlsx",
                "Rick0701/sipri_datasets",
                "836ed186a498e1fc6e18fa94670aea8596297ae5",
                "Military%20Expenditure%20pro%20capita%20and%20Geopandas/"
                "SIPRI-Milex-data-1949-2020_0.xlsx",
                "71cb38e962fe2b6c6729fc1d88694b254d9588f64e090703d0b511887ce33271",
                1000836,
            ),
        ),
        publisher="Stockholm International Peace Research Institute (SIPRI), 2021 edition",
        licence="© SIPRI; SIPRI terms (import only)",
        page="https://www.sipri.org/databases/milex",
        adds="military expenditure 1949-2020: constant and current USD, share of GDP",
    ),
    PublicDataset(
        key="sipri-2023",
        kind="sipri",
        files=(
            _file(
                "sipri/SIPRI-Milex-data-2018-2023.xlsx",
                "ryanozy/csc3107-infovis",
                "dd5498363b112f9c3dda065ec11429f56815f48a",
                "SIPRI-Milex-data-2018-2023.xlsx",
                "54682378f33ed9c1c45ab1b60bbef3d5bb14dab1651ed1c728a39fc792a869fb",
                54856,
            ),
        ),
        publisher="Stockholm International Peace Research Institute (SIPRI), 2023 edition",
        licence="© SIPRI; SIPRI terms (import only)",
        page="https://www.sipri.org/databases/milex",
        adds="military expenditure 2018-2023 (revised): current USD, share of GDP",
    ),
    PublicDataset(
        key="gfp-2018",
        kind="gfp",
        files=(
            _file(
                "gfp/gfp2018_military_strength_ranking.csv",
                "WQD180076/Military-Strength-Ranking-Index",
                "67fe237049487f1d1ac3973bb4b462c1c67fde26",
                "2018%20Military%20Strength%20Ranking.csv",
                "7a296cd617846b601757fad125fbe5d8a146849f0da4b01ab1c38cb4fff25ae9",
                42817,
            ),
        ),
        publisher="Global Firepower 2018 (third-party scrape)",
        licence="© Global Firepower; no licence stated (import only)",
        page="https://www.globalfirepower.com/",
        adds="GFP 2018 rank, PowerIndex, equipment and budget, 136 countries",
    ),
    PublicDataset(
        key="gfp-2020",
        kind="gfp",
        files=(
            _file(
                "gfp/gfp2020_world_military_power.xlsx",
                "metehanayhan/World-Military-Power-Clustering-Analysis",
                "d76cab634c6349f1067ba4fcf047ee6968f5803d",
                "Data/World%20military%20power.xlsx",
                "b770eb717d9fc7160f8c7eb2bdda3e330bc6567791b4ce3e8d04d2d075d9307e",
                43045,
            ),
        ),
        publisher="Global Firepower 2020 (Kaggle-derived workbook)",
        licence="© Global Firepower; no licence stated (import only)",
        page="https://www.globalfirepower.com/",
        adds="GFP 2020 PowerIndex, equipment and budget, 138 countries",
    ),
    PublicDataset(
        key="gfp-2023",
        kind="gfp",
        files=(
            _file(
                "gfp/gfp2023_clean.csv",
                "elsayedhazem/gfp_data_analysis",
                "473d1bb84c9b7420e729807d23a4ed7fc5b4fc2a",
                "data/clean.csv",
                "8e12a61a5acd5ede2e83895072646748403b99d53368fd001da7865b1e173ae5",
                51510,
            ),
        ),
        publisher="Global Firepower 2023 (third-party scrape)",
        licence="© Global Firepower; no licence stated (import only)",
        page="https://www.globalfirepower.com/",
        adds="GFP 2023 PowerIndex and equipment, 145 countries",
    ),
    PublicDataset(
        key="gfp-2025",
        kind="gfp",
        files=(
            _file(
                "gfp/gfp2025_global_military_firepower.csv",
                "charan722/Global-Firepower-2025-EDA-and-Clustering-Analysis",
                "804cfad212ad0b88dfd89e74402117779d57af79",
                "Global%20Firepower/global_military_firepower_2025.csv",
                "9e4748da36caad04f8c4e9409ef1fee59379e5bf03d367eab3f443a5d5d1a763",
                42871,
            ),
        ),
        publisher="Global Firepower 2025 (third-party scrape)",
        licence="© Global Firepower; no licence stated (import only)",
        page="https://www.globalfirepower.com/",
        adds="GFP 2025 rank and equipment, 145 countries",
    ),
)

BY_KEY: dict[str, PublicDataset] = {d.key: d for d in DATASETS}


def embedded_datasets() -> tuple[PublicDataset, ...]:
    """The datasets whose tidy tables ship in datasets/world/ (openly licensed)."""
    return tuple(d for d in DATASETS if d.embedded)
