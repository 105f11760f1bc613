"""``make bench``: where the time goes, and the ratios the harness promises, measured in one run.

    .venv/bin/python bench/run.py            # what `make bench` runs
    .venv/bin/python bench/run.py --quick    # smaller large-catalog sizes, for a smoke test

Prints per stage the time and cases per second for a cold and an unchanged re-run of the bundled
catalog, the large generated catalog at three sizes (time per case, peak memory), and one line per
ratio: ``ratio NAME VALUE target TARGET met|missed``. Writes the figures to bench/RESULTS.md.
Never a timed unit test: figures depend on the machine; the ratios are measured side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.engine import Engine  # noqa: E402
from harness.project import Project  # noqa: E402
from harness.screenshots import LAUNCH_FLAGS, VIEWPORTS  # noqa: E402
from harness.screenshots.browser import executable_for  # noqa: E402
from harness.screenshots.camera import shared_playwright  # noqa: E402
from harness.timing import SHOT_STAGES, STAGES  # noqa: E402

CACHE = REPO / "bench" / ".cache"
LINES: list[str] = []


def say(line: str = "") -> None:
    print(line, flush=True)
    LINES.append(line)


def ratio(name: str, value: float, target: str) -> None:
    op, number = target[:2], float(target[2:])
    met = value <= number if op == "<=" else value >= number
    say(f"ratio {name} {value:.3f} target {target} {'met' if met else 'missed'}")


def copy_project(to: Path) -> Path:
    for folder in ("templates", "fixtures", "snapshots", "shop"):
        shutil.copytree(REPO / folder, to / folder)
    shutil.copy(REPO / "pyproject.toml", to / "pyproject.toml")
    return to


def run_all(engine: Engine) -> tuple[float, list]:
    started = time.perf_counter()
    results = [engine.check(case) for case in engine.cases()]
    engine.close()
    return time.perf_counter() - started, results


def stage_table(title: str, engine: Engine, cases: int, wall: float) -> None:
    watch = engine.stopwatch
    say(f"{title}: {cases} cases in {wall:.2f} s ({cases / wall:.0f} cases/s)")
    for stage in STAGES:
        seconds = watch.seconds[stage]
        calls = watch.calls[stage]
        if calls:
            beside = "  (beside the screenshots)" if stage in ("axe", "checks") else ""
            say(f"  {stage:<11} {seconds:8.3f} s  {calls:6d} calls  {calls / seconds if seconds else 0:10.0f} /s{beside}")


# -- the bundled catalog, with screenshots -----------------------------------------------------


def bundled(tmp: Path) -> None:
    root = copy_project(tmp / "bundled")
    project = Project.load(root)
    cold_engine = Engine(project, reuse_screenshots=False)
    cold, results = run_all(cold_engine)
    assert all(r.ok for r in results), [r.explain() for r in results if not r.ok]
    stage_table("bundled catalog, cold (every screenshot taken)", cold_engine, len(results), cold)
    # The same cold run without the axe-core scan: what accessibility costs.
    catalog_yaml = root / "templates" / "_catalog.yaml"
    original = catalog_yaml.read_text(encoding="utf-8")
    catalog_yaml.write_text(original.replace("accessibility: {}", "accessibility: {axe: false}"), encoding="utf-8")
    no_axe_engine = Engine(Project.load(root), reuse_screenshots=False)
    no_axe, _ = run_all(no_axe_engine)
    catalog_yaml.write_text(original, encoding="utf-8")
    per_shot = {s: cold_engine.stopwatch.seconds[s] / max(cold_engine.stopwatch.calls[s], 1) * 1000 for s in SHOT_STAGES}
    say(f"screenshot call alone: light {per_shot['shot-light']:.0f} ms ({cold_engine.stopwatch.calls['shot-light']} shots), "
        f"dark {per_shot['shot-dark']:.0f} ms ({cold_engine.stopwatch.calls['shot-dark']} shots)")
    say(f"bundled catalog, cold without the axe-core scan: {no_axe:.2f} s (the scan costs {cold - no_axe:.2f} s, "
        f"{cold_engine.stopwatch.seconds['axe'] / max(cold_engine.stopwatch.calls['axe'], 1) * 1000:.0f} ms a page)")
    # The second run of an unchanged catalog on this machine: approved PNGs taken with this
    # machine's browser are reused; the others (approved with another Chromium build, or measured
    # by an older harness) come from the local shot cache the cold run filled. No browser starts.
    warm_engine = Engine(project)
    warm, results = run_all(warm_engine)
    stage_table("bundled catalog, second unchanged run", warm_engine, len(results), warm)
    cache, camera = warm_engine.cache, warm_engine.camera
    elsewhere = ", ".join(f"{cases} case(s) approved with {what}" for what, cases in warm_engine.environment.items())
    say(f"  screenshots: {sum(r.screenshots == 'reused' for r in results)} case(s) reused from snapshots/, "
        f"{sum(r.screenshots == 'cached' for r in results)} from the local cache ({cache.hits if cache else 0} hits), "
        f"{sum(r.screenshots == 'taken' for r in results)} taken ({camera.loads if camera else 0} page loads)"
        + (f"; {elsewhere}" if elsewhere else "; every screenshot approved with this machine's browser"))
    ratio("second-unchanged-rerun-vs-cold", warm / cold, "<=0.05")
    rules_table(project)

    # The browser floor: a bare Playwright loop, one page, set_content + full-page screenshot,
    # over the same HTML and viewports the cold run shot.
    shots = []
    for result in results:
        if result.screenshots:
            email = warm_engine.render(result.case)
            # The viewports and looks the harness shot for this case, as its manifest records.
            manifest = json.loads((root / "snapshots" / result.case.template / result.case.fixture / "manifest.json").read_text())
            shots.extend((email.html, VIEWPORTS[name]) for name in manifest["screenshots"]["viewports"])
    browser = shared_playwright().chromium.launch(executable_path=executable_for("auto"), args=list(LAUNCH_FLAGS))
    page = browser.new_page(device_scale_factor=1)
    page.route("**/*", lambda route: route.abort())
    started = time.perf_counter()
    for html, viewport in shots:
        page.set_viewport_size({"width": viewport.width, "height": viewport.height})
        page.emulate_media(color_scheme=viewport.color_scheme)
        page.set_content(html)
        page.screenshot(full_page=True)
    bare = time.perf_counter() - started
    browser.close()
    seconds = cold_engine.stopwatch.seconds
    # The checks run on the camera's second thread beside the shots; what the screenshot page
    # itself cost is the stage less the wait for the checks after the last shot.
    harness_shots = seconds["screenshot"] - seconds["checks-wait"]
    say(f"the checks of every look (check page loads, overflow, direction, images, forced-dark contrast): {seconds['checks']:.2f} s "
        f"and axe-core {seconds['axe']:.2f} s, beside the screenshots; waited for after the last shot: {seconds['checks-wait']:.2f} s")
    say(f"bare Playwright loop: {len(shots)} screenshots in {bare:.2f} s; harness screenshot stage {harness_shots:.2f} s "
        f"({cold_engine.camera.loads} page loads: identical HTML is shot once)")
    ratio("screenshot-stage-vs-bare-playwright", harness_shots / bare, "<=1.15")
    # The whole cold run, every check on (text stages, axe, the looks' checks), on one process
    # against the bare loop over the same shots: what the harness adds to the browser's own cost.
    ratio("cold-with-checks-vs-bare-playwright", cold / bare, "<=1.2")

    # Render stage against the JavaScript mjml on the same MJML.
    sources = [warm_engine.render(r.case).source for r in results if r.outcome == "sent"]
    js = js_mjml_seconds(sources)
    renderer_engine = warm_engine.renderer.engine
    started = time.perf_counter()
    for _ in range(5):
        for source in sources:
            renderer_engine.render(source)
    mrml = (time.perf_counter() - started) / 5
    if js is None:
        say("ratio render-vs-js-mjml skipped: no node/npm here")
    else:
        import mjml as mrml_module  # MRML alone, without the css-inline step our engine adds

        started = time.perf_counter()
        for _ in range(5):
            for source in sources:
                mrml_module.mjml2html(source, disable_comments=True)
        bare_mrml = (time.perf_counter() - started) / 5
        say(f"MJML of {len(sources)} sent cases: harness engine (MRML + css-inline) {mrml * 1000:.1f} ms, MRML alone "
            f"{bare_mrml * 1000:.1f} ms ({js / bare_mrml:.0f}x), JavaScript mjml 5 {js * 1000:.1f} ms (in-process, warm)")
        ratio("render-vs-js-mjml", js / mrml, ">=30")


#: Warm runs the rules' figure is taken over: one run's rules stage is ~0.2 s on the bundled
#: catalog, so a single sample moves by half its value with what else the machine does.
RULE_RUNS = 7


def rules_table(project: Project) -> None:
    """The rules' cost per sent case on warm runs (patterns compiled, imports done, the run's
    memos filled as on any run after the first): the median of :data:`RULE_RUNS` runs, each
    rule's share over all of them, the three costliest named. The HTML's parse is apart: the
    snapshot normalizer shares it on a run that re-normalizes."""
    per_run: list[float] = []
    costs: dict[str, float] = {}
    parse = parsed = sent = 0
    for _ in range(RULE_RUNS):
        engine = Engine(project)
        results = [engine.check(case) for case in engine.cases()]
        engine.close()
        watch, run_sent = engine.stopwatch, sum(r.outcome == "sent" for r in results)
        per_run.append((watch.seconds["rules"] - watch.seconds["parse"]) / run_sent * 1000)
        for stage, seconds in watch.seconds.items():
            if stage.startswith("rule:"):
                costs[stage[5:]] = costs.get(stage[5:], 0.0) + seconds
        parse, parsed, sent = parse + watch.seconds["parse"], parsed + watch.calls["parse"], sent + run_sent
    stage = statistics.median(per_run)
    ranked = sorted(costs.items(), key=lambda pair: -pair[1])
    total = max(sum(costs.values()), 1e-9)
    say(f"rules, warm: {stage:.2f} ms per sent case, the median of {RULE_RUNS} runs "
        f"({', '.join(f'{x:.2f}' for x in per_run)}; {sent // RULE_RUNS} sent cases, {len(ranked)} rules); "
        f"the HTML's parse apart, {parse / max(parsed, 1) * 1000:.2f} ms a case")
    for name, seconds in ranked:
        say(f"  {name:<24} {seconds / sent * 1000:7.3f} ms/case  {seconds / total * 100:5.1f}%")
    say(f"costliest rules: {', '.join(name for name, _ in ranked[:3])}")
    ratio("rules-ms-per-sent-case-warm", stage, "<=2")


def js_mjml_seconds(sources: list[str]) -> float | None:
    if not (shutil.which("node") and shutil.which("npm")):
        return None
    if not (CACHE / "node_modules" / "mjml").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE), "mjml@5"], check=True)
    script = """
const mjml2html = require('mjml');
const sources = JSON.parse(require('fs').readFileSync(0, 'utf8'));
for (const s of sources) mjml2html(s, {validationLevel: 'skip'});  // warm up
const t = process.hrtime.bigint();
for (let i = 0; i < 5; i++) for (const s of sources) mjml2html(s, {validationLevel: 'skip'});
console.log(Number(process.hrtime.bigint() - t) / 5e9);
"""
    out = subprocess.run(["node", "-e", script], input=json.dumps(sources), capture_output=True, text=True,
                         cwd=CACHE, env={**os.environ, "NODE_PATH": str(CACHE / "node_modules")}, check=True)
    return float(out.stdout.strip())


# -- worker processes (run -j) -----------------------------------------------------------------


def workers(tmp: Path) -> None:
    """A cold run of the bundled catalog (every screenshot taken, no shot cache) on one process
    and on two workers (``run -j 2``), side by side; the wall time includes starting the workers
    and their browsers. The load average is printed: other processes share these cores."""
    from harness.parallel import cores, parse_jobs, run_parallel

    seconds = {}
    for jobs in (1, 2):
        engine = Engine(Project.load(copy_project(tmp / f"jobs-{jobs}")), reuse_screenshots=False, cache=False)
        cases = engine.cases()
        started = time.perf_counter()
        results = run_parallel(engine, cases, jobs) if jobs > 1 else [engine.check(case) for case in cases]
        engine.close()
        seconds[jobs] = time.perf_counter() - started
        assert all(r.ok for r in results), [r.explain() for r in results if not r.ok]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"bundled catalog, cold: -j 1 {seconds[1]:.2f} s, -j 2 {seconds[2]:.2f} s on {cores()} cores (load average {load})")
    ratio("two-workers-vs-one-cold", seconds[1] / seconds[2], ">=1.7")
    say(f"  -j auto here: {parse_jobs('auto')} worker(s) with screenshots (each camera keeps two cores busy), "
        f"{parse_jobs('auto', screenshots=False)} without")


# -- a generated large catalog, text only ------------------------------------------------------


def generate(root: Path, templates: int, accounts: int) -> Path:
    """``templates`` copies of the bundled templates and ``accounts`` copies of the fixtures."""
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "fixtures").mkdir()
    originals = sorted(p for p in (REPO / "templates").glob("*.mjml"))
    for path in originals:
        for suffix in (".mjml", ".yaml", ".txt"):
            (root / "templates" / (path.stem + suffix)).unlink(missing_ok=True)
    for i in range(templates):
        source = originals[i % len(originals)]
        for suffix in (".mjml", ".yaml", ".txt"):
            if source.with_suffix(suffix).is_file():
                shutil.copy(source.with_suffix(suffix), root / "templates" / f"{source.stem}_{i}{suffix}")
    fixtures = sorted((REPO / "fixtures").glob("*.yaml"))
    for i in range(accounts):
        source = fixtures[i % len(fixtures)]
        text = source.read_text(encoding="utf-8").replace("@", f"+{i}@", 1)
        (root / "fixtures" / f"{source.stem}-{i}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "shop", root / "shop")
    text_only(root, messages=True)  # screenshot settings name the bundled fixtures, renamed here
    (root / "pyproject.toml").write_text(
        '[tool.email-harness]\nscreenshots = false\nplugins = ["shop"]\nfixture_model = "shop.models:Account"\n'
    )
    return root


def measure_size(root: Path) -> dict[str, float]:
    """Run in this process (a fresh one per size): time per case and peak memory."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    engine = Engine(Project.load(root), screenshots=False)
    cases = engine.cases()
    started = time.perf_counter()
    statuses = 0
    for case in cases:  # streamed: results are counted and dropped, as a report writer would
        statuses += engine.check(case).status != "error"
    seconds = time.perf_counter() - started
    assert statuses == len(cases)
    return {"cases": len(cases), "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def large(tmp: Path, sizes: list[tuple[int, int]]) -> None:
    figures = []
    for templates, accounts in sizes:
        root = generate(tmp / f"large-{templates}x{accounts}", templates, accounts)
        out = subprocess.run([sys.executable, __file__, "--measure", str(root)], capture_output=True, text=True, check=True)
        figure = json.loads(out.stdout.strip().splitlines()[-1])
        figures.append(figure)
        say(f"large catalog {templates} templates x {accounts} accounts: {figure['cases']} cases in "
            f"{figure['seconds']:.1f} s, {figure['seconds'] / figure['cases'] * 1e3:.2f} ms/case, "
            f"{figure['cases'] / figure['seconds']:.0f} cases/s on one core, peak {figure['peak_mb']:.0f} MB")
    small, big = figures[0], figures[-1]
    per_case = [f["seconds"] / f["cases"] for f in figures]
    say(f"linear: time per case {min(per_case) * 1e3:.2f}-{max(per_case) * 1e3:.2f} ms over {small['cases']}-{big['cases']} cases; "
        f"peak memory {small['peak_mb']:.0f} -> {big['peak_mb']:.0f} MB")
    ratio("text-only-cases-per-second-one-core", big["cases"] / big["seconds"], ">=200")
    ratio("time-per-case-largest-vs-smallest", per_case[-1] / per_case[0], "<=1.3")
    ratio("peak-memory-largest-vs-smallest", big["peak_mb"] / small["peak_mb"], "<=1.5")


# -- the whole message: build, SMTP round trip, spam score ------------------------------------------


def text_only(root: Path, *, messages: bool) -> Path:
    """The generated catalog without screenshot settings (they name the bundled fixtures, which
    the generated ones renamed), and with or without ``message:``."""
    import yaml

    for path in (root / "templates").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        data.pop("screenshots", None)
        if not messages and data.pop("message", None) is not None:
            data.get("rules", {}).pop("message", None)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def messages(tmp: Path, size: tuple[int, int]) -> None:
    """Messages built and sent per second, spam scoring per second warm, and the large text-only
    run with messages (build, SMTP round trip, DKIM, rule message) against the same run without."""
    from harness.message.build import build_message
    from harness.message.smtp import Postbox
    from harness.message.spam import Spamd, Unavailable

    engine = Engine(Project.load(REPO), screenshots=False, smtp=False)
    emails = [e for e in (engine.render(case) for case in engine.cases()) if e.sent and e.message_spec is not None]
    engine.close()
    started = time.perf_counter()
    built = [build_message(e) for e in emails * 5]
    build_seconds = time.perf_counter() - started
    postbox = Postbox()
    postbox.deliver(built[0])  # the server's start, apart
    started = time.perf_counter()
    same = sum(postbox.deliver(data).received == data for data in built)
    send_seconds = time.perf_counter() - started
    postbox.close()
    say(f"messages: {len(built) / build_seconds:.0f} built/s (DKIM-signed), {len(built) / send_seconds:.0f} sent and received/s "
        f"over SMTP on 127.0.0.1 ({same} of {len(built)} arrived unchanged)")
    try:
        daemon = Spamd()
    except Unavailable as exc:
        say(f"spam scoring: not measured ({exc})")
    else:
        try:
            daemon.report(built[0])  # the first scan warms its child
            started = time.perf_counter()
            for data in built[: len(emails)]:
                daemon.report(data)
            scan = time.perf_counter() - started
            say(f"spam scoring: spamd start-up {daemon.startup:.1f} s; warm {len(emails) / scan:.1f} messages/s")
        finally:
            daemon.stop()
    import yaml

    templates, accounts = size
    with_root = text_only(generate(tmp / "messages-with", templates, accounts), messages=True)
    without_root = text_only(generate(tmp / "messages-without", templates, accounts), messages=False)
    # Issue 28's target is building and the SMTP round trip; DKIM (signing and verifying each
    # message, dkimpy's pure-Python RSA) is measured apart, as the catalog without dkim:.
    unsigned_root = text_only(generate(tmp / "messages-unsigned", templates, accounts), messages=True)
    catalog = unsigned_root / "templates" / "_catalog.yaml"
    settings = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    assert settings["message"].pop("dkim", None) is not None, "the bundled catalog signs its messages"
    catalog.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    figures = {}
    for name, root in (("without", without_root), ("with unsigned", unsigned_root), ("with", with_root)):
        out = subprocess.run([sys.executable, __file__, "--measure", str(root)], capture_output=True, text=True, check=True)
        figures[name] = json.loads(out.stdout.strip().splitlines()[-1])
        label = {"without": "without messages", "with unsigned": "with messages, no DKIM", "with": "with messages and DKIM"}[name]
        say(f"large catalog {label}: {figures[name]['cases']} cases in {figures[name]['seconds']:.1f} s on one core")
    ratio("large-run-with-messages-vs-without", figures["with unsigned"]["seconds"] / figures["without"]["seconds"], "<=1.5")
    say(f"  with DKIM signing and verifying too: {figures['with']['seconds'] / figures['without']['seconds']:.3f}x; DKIM "
        f"{(figures['with']['seconds'] - figures['with unsigned']['seconds']) / figures['with']['cases'] * 1000:.2f} ms per case")


#: The parts of a full run, in order; ``--only`` picks some while working on one figure.
PARTS = ("bundled", "workers", "large", "messages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller large-catalog sizes")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only this part (repeatable); RESULTS.md is written only by a full run")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_size(args.measure)))
        return
    sizes = [(5, 20), (10, 40), (20, 50)] if args.quick else [(10, 40), (25, 100), (50, 200)]
    command = "make bench" if not args.quick else "python bench/run.py --quick"
    say(f"# email-harness benchmark ({command})")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    parts = args.only or PARTS
    with tempfile.TemporaryDirectory() as tmp:
        if "bundled" in parts:
            bundled(Path(tmp))
        if "workers" in parts:
            workers(Path(tmp))
        if "large" in parts:
            large(Path(tmp), sizes)
        if "messages" in parts:
            messages(Path(tmp), sizes[-1])
    if not args.quick and not args.only:
        body = "\n".join(LINES)
        (REPO / "bench" / "RESULTS.md").write_text(
            f"# Benchmark results\n\nLast run: `{command}` on {time.strftime('%Y-%m-%d')}.\n\n```\n{body}\n```\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
