"""Turns bench/run.sh's results.csv into a Markdown table: median per system and metric, jmail/Postfix ratio."""
import csv
import statistics
import sys

LABELS = [
    ("accept_rate", "Accept rate, 10 sessions", "higher"),
    ("single_session_latency", "One session, per transaction", "lower"),
    ("end_to_end_rate", "End-to-end (until the sink has all)", "higher"),
    ("idle_rss", "RSS idle (all processes)", "lower"),
    ("accept_peak_rss", "RSS peak during accept run", "lower"),
    ("idle_pss", "PSS idle (all processes)", "lower"),
    ("accept_peak_pss", "PSS peak during accept run", "lower"),
    ("scale_accept_first_tenth", "Queue scale: accept, first tenth", "higher"),
    ("scale_accept_last_tenth", "Queue scale: accept, last tenth", "higher"),
    ("mailq_time", "Queue scale: mailq at full queue", "lower"),
    ("flush_drain_rate", "Queue scale: flush + drain", "higher"),
    ("h2_bytes_per_queued_msg", "Queue scale: H2 file per queued message", "lower"),
    ("h2_bytes_after_drain", "Queue scale: H2 file after drain", "lower"),
]


def main(csv_path, md_path, machine, params):
    values, units = {}, {}
    with open(csv_path) as f:
        for row in csv.DictReader(f):
            values.setdefault((row["metric"], row["system"]), []).append(float(row["value"]))
            units[row["metric"]] = row["unit"]
    lines = [
        "| measure | jmail | Postfix | jmail/Postfix | better |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    known = {m for m, _, _ in LABELS}
    flow = sorted((m for m, s in values if m not in known), key=lambda m: (len(m), m))
    for metric, label, better in LABELS + [(m, "H2 file while mail flows: " + m, "lower") for m in flow]:
        j = values.get((metric, "jmail"))
        p = values.get((metric, "postfix"))
        if not j and not p:
            continue
        jm = statistics.median(j) if j else None
        pm = statistics.median(p) if p else None
        unit = units[metric]
        ratio = f"{jm / pm:.2f}×" if jm is not None and pm else "–"
        n = max(len(j or []), len(p or []))
        lines.append(f"| {label}{' (median of ' + str(n) + ')' if n > 1 else ''} | {fmt(jm, unit)} | {fmt(pm, unit)} | {ratio} | {better} |")
    with open(md_path, "w") as f:
        f.write(f"Machine: {machine}\n\nParameters: {params}\n\n" + "\n".join(lines) + "\n")


def fmt(v, unit):
    if v is None:
        return "–"
    if unit == "B" and v >= 1 << 20:
        return f"{v / (1 << 20):.1f} MB"
    return f"{v:g} {unit}"


if __name__ == "__main__":
    main(*sys.argv[1:5])
