"Write one `## section` of benchmarks/RESULTS.md, keeping the others."
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, body: str, path: Path = RESULTS) -> Path:
    txt = path.read_text() if path.exists() else "# Benchmark results\n"
    head, sep, rest = txt.partition(f"\n## {title}\n")
    tail = ("\n## " + rest.split("\n## ", 1)[1]) if sep and "\n## " in rest else ""
    path.write_text(head.rstrip() + f"\n\n## {title}\n\n" + body.strip() + "\n" + tail)
    print(f"wrote section '{title}' of {path}")
    return path
