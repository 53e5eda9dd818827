"""``storystream``: the one command-line entry point.

  storystream broker [--port N] [--data-dir D] [--fresh] [--brokers N] [--sasl-ssl]   local Kafka (KRaft)
  storystream topics                                       create the topics
  storystream produce PATH... | - | --follow FILE | --watch DIR   publish articles (pipes stream)
  storystream worker annotator|quotes|entities|aggregator|all
  storystream worker feeds                                 poll the feeds of feeds.yaml
  storystream worker ingest                                POST /articles (push)
  storystream board [--host H] [--port N]                  the live story board (a web page)
  storystream tail [--topic story-state] [--json] [--from-beginning]
  storystream extract FILE... | -                          extraction without Kafka
  storystream eval quotes|entities DATA [--folds K] [--json]
  storystream eval stories DATA... [--folds K] [--dealings 0,1,2] [--kafka]
                                                          clustering: whole stream, topic CV, baseline, figure of record
  storystream fit stories DATA... [--out FILE]             fit the clustering's key parameters
  storystream demo                                         broker + workers + seeds -> story state
  storystream schemas [--check]                            export / check JSON Schemas
  storystream asyncapi [--check]                           write / check schemas/asyncapi.yaml
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from schemas.export import main as export_schemas
from services.common import logging as slog
from services.common.access import KafkaAccessRefused
from services.common.kafka import ensure_topics, wait_for_broker
from services.common.settings import ROOT, SettingsError, load
from services.producer.live import follow_file, stop_event, watch_folder
from services.producer.publish import Publisher, publish_all
from services.producer.sources import SourceError, read_paths
from services.tail import tail

# The modules that load faust or spaCy (the agents, the app, the pipeline, the evaluation), the
# feeds worker and ingest service (trafilatura, lxml, aiohttp) and the developer tooling
# (devtools/) are imported inside the commands that use them, so that `storystream tail`,
# `produce` or `topics` start without them.

WORKERS = ("annotator", "quotes", "entities", "aggregator")


def _build_worker(name: str, settings):
    if name == "annotator":
        from services.annotator.agent import build
    elif name == "quotes":
        from services.workers.quotes import build
    elif name == "entities":
        from services.workers.entities import build
    elif name == "aggregator":
        from services.aggregator.agent import build
    else:  # pragma: no cover - argparse restricts choices
        raise SystemExit(f"unknown worker {name}")
    return build(settings)


def cmd_broker(args) -> int:
    data_dir = Path(args.data_dir) if args.data_dir else load().data_dir / "broker"
    if args.brokers > 1:
        if args.port:
            raise SystemExit("storystream broker: --port applies to one broker only")
        from devtools.broker.cluster import run_cluster_foreground
        return run_cluster_foreground(data_dir, args.brokers, fresh=args.fresh, sasl_ssl=args.sasl_ssl)
    from devtools.broker.launcher import run_foreground
    return run_foreground(data_dir, port=args.port, fresh=args.fresh, sasl_ssl=args.sasl_ssl)


def cmd_topics(args) -> int:
    settings = load()

    async def go():
        await wait_for_broker(settings)
        return await ensure_topics(settings)
    created = asyncio.run(go())
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    return 0


def cmd_produce(args) -> int:
    settings = load()
    slog.configure(settings.log_level, service="producer")
    if not (args.paths or args.follow or args.watch):
        print("storystream produce: error: give PATH..., -, --follow FILE or --watch DIR", file=sys.stderr)
        return 2
    report, sends_ok = asyncio.run(_produce(args, settings))
    print(report.line(), file=sys.stderr)
    return 0 if report.ok and sends_ok else 1


async def _produce(args, settings):
    """Paths (stdin as its lines arrive) first, then the followed file and the watched folder
    until a signal or ``--idle``; every send confirmed (``Publisher``)."""
    async with Publisher(settings) as pub:
        await publish_all(pub, read_paths(args.paths, max_body_bytes=settings.max_body_bytes))
        live = []
        if args.follow or args.watch:
            stop = stop_event()
            if args.follow:
                live.append(follow_file(Path(args.follow), pub, settings.data_dir, idle=args.idle, stop=stop,
                                        max_body_bytes=settings.max_body_bytes))
            if args.watch:
                live.append(watch_folder(Path(args.watch), pub, idle=args.idle, stop=stop,
                                         max_body_bytes=settings.max_body_bytes))
        results = await asyncio.gather(*live)
    return pub.report, all(results)


def cmd_worker(args) -> int:
    settings = load()
    if args.name in ("feeds", "ingest"):
        return _run_source(args.name, settings)
    if args.name == "all":
        from devtools.supervisor import supervise
        return supervise(list(WORKERS))
    from services.common.app import run_worker
    return run_worker(_build_worker(args.name, settings), settings, args.name)


def _run_source(name: str, settings) -> int:
    """The feeds worker or the ingest service (plain aiokafka processes, not faust apps)."""
    slog.configure(settings.log_level, service=name)
    if name == "ingest":
        from services.ingest.server import run_ingest
        return run_ingest(settings)
    from services.feeds.config import FeedsConfigError, load_feeds
    from services.feeds.worker import run_feeds
    try:
        specs = load_feeds(settings.feeds_config)
    except FeedsConfigError as exc:
        print(f"storystream: error: {exc}", file=sys.stderr)
        return 2
    return run_feeds(settings, specs)


def cmd_board(args) -> int:
    from services.board.run import run_board
    settings = load()
    return run_board(settings, args.host or settings.board_host,
                     settings.board_port if args.port is None else args.port)


def cmd_tail(args) -> int:
    return asyncio.run(tail(load(), topic=args.topic, as_json=args.json, from_beginning=args.from_beginning,
                            idle=args.idle, limit=args.max))


def cmd_extract(args) -> int:
    from services.pipeline import extract_articles
    articles, errors = [], 0
    for rec in read_paths(args.paths, max_body_bytes=load().max_body_bytes):
        if isinstance(rec, SourceError):
            errors += 1
            print(rec.line(), file=sys.stderr)
        else:
            articles.append(rec)
    for quotes, entities in extract_articles(articles):
        out = {
            "article_id": quotes.article.article_id,
            "title": quotes.article.title,
            "quotes": [q.model_dump(mode="json") for q in quotes.quotes],
            "entities": [e.model_dump(mode="json") for e in entities.entities],
        }
        print(json.dumps(out, ensure_ascii=False))
    return 0 if errors == 0 else 1


def int_list(text: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]`` (an argparse type)."""
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated integers, not {text!r}") from None


def cmd_eval(args) -> int:
    slog.configure("warning", service="eval")
    if args.what != "stories" or args.kafka:
        if len(args.data) != 1:
            raise SystemExit(f"eval {args.what}{' --kafka' if args.kafka else ''}: one DATA file")
    if args.what == "quotes":
        from services.evaluation.quotes_cv import format_cv_table as format_table, run_quotes_cv
        result = run_quotes_cv(args.data[0], args.folds)
    elif args.what == "entities":
        from services.evaluation.entities_cv import format_cv_table as format_table, run_entities_cv
        try:
            result = run_entities_cv(args.data[0], args.folds)
        except ValueError as exc:  # too few topics for the folds
            print(f"storystream: error: {exc}", file=sys.stderr)
            return 2
    elif args.kafka:
        from services.evaluation.stories_kafka import format_table, run_stories_eval
        result = run_stories_eval(args.data[0], orders=args.orders)
    else:
        from services.evaluation.story_report import evaluate, format_report as format_table
        result = evaluate(args.data, folds=args.folds, orders=args.orders, cv_orders=args.cv_orders, jobs=args.jobs,
                          dealings=args.dealings)
    print(json.dumps(result, indent=None if args.json else 2, default=str) if args.json else format_table(result))
    return 0


def cmd_fit(args) -> int:
    slog.configure("warning", service="fit")
    from services.evaluation.story_report import write_fitted
    doc = write_fitted(args.data, Path(args.out), folds=args.folds, orders=args.orders, jobs=args.jobs)
    print(json.dumps({k: doc[k] for k in ("params", "objective", "data_sets", "seconds")}))
    return 0


def cmd_demo(args) -> int:
    from devtools.demo import run_demo
    return run_demo(seeds=Path(args.seeds), timeout=args.timeout, show_json=args.json)


def cmd_schemas(args) -> int:
    return export_schemas(["--check"] if args.check else [])


def cmd_asyncapi(args) -> int:
    from schemas.asyncapi import main as write_asyncapi
    return write_asyncapi(["--check"] if args.check else [])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="storystream", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("broker", help="run a local single-node Kafka (KRaft) broker")
    b.add_argument("--port", type=int, default=0, help="client port (default: a free one)")
    b.add_argument("--data-dir", default=None, help="storage dir (default: .data/broker)")
    b.add_argument("--fresh", action="store_true", help="wipe the data dir first")
    b.add_argument("--brokers", type=int, default=1, choices=range(1, 10), metavar="N",
                   help="nodes in a local KRaft cluster (combined controller+broker each; default 1)")
    b.add_argument("--sasl-ssl", action="store_true",
                   help="require SASL_SSL (SCRAM-SHA-512 over TLS, a generated CA; development only) and "
                        "print the clients' settings as shell export lines (the password: read from a file)")
    b.set_defaults(fn=cmd_broker)
    sub.add_parser("topics", help="create the project's topics").set_defaults(fn=cmd_topics)
    pr = sub.add_parser("produce", help="publish articles (.txt/.json/.jsonl files, dirs, - for stdin as it "
                                        "arrives, a followed JSONL file, a watched drop folder)")
    pr.add_argument("paths", nargs="*")
    pr.add_argument("--follow", metavar="FILE", help="publish the lines of an append-only JSONL file as they are "
                                                    "written; resumes at its saved offset")
    pr.add_argument("--watch", metavar="DIR", help="publish each file dropped into DIR once, then move it to "
                                                  "DIR/.published/")
    pr.add_argument("--idle", type=float, default=None, help="with --follow/--watch: stop after this many "
                                                            "seconds without new input")
    pr.set_defaults(fn=cmd_produce)
    w = sub.add_parser("worker", help="run a worker")
    w.add_argument("name", choices=[*WORKERS, "all", "feeds", "ingest"])
    w.set_defaults(fn=cmd_worker)
    bo = sub.add_parser("board", help="serve the live story board (a web page over story-state)")
    bo.add_argument("--host", default=None, help="address to bind (default STORYSTREAM_BOARD_HOST, 127.0.0.1)")
    bo.add_argument("--port", type=int, default=None, help="port (default STORYSTREAM_BOARD_PORT, 6068)")
    bo.set_defaults(fn=cmd_board)
    t = sub.add_parser("tail", help="print story states (or any topic)")
    t.add_argument("--topic", default="story-state")
    t.add_argument("--json", action="store_true", help="one JSON object per line")
    t.add_argument("--from-beginning", action="store_true")
    t.add_argument("--idle", type=float, default=None, help="exit after this many idle seconds")
    t.add_argument("--max", type=int, default=None, help="exit after this many messages")
    t.set_defaults(fn=cmd_tail)
    e = sub.add_parser("extract", help="quotes and entities per article, no Kafka (JSON lines)")
    e.add_argument("paths", nargs="+")
    e.set_defaults(fn=cmd_extract)
    ev = sub.add_parser("eval", help="score extraction or clustering against gold data")
    ev.add_argument("what", choices=["quotes", "entities", "stories"])
    ev.add_argument("data", nargs="+", help="an evaluation file (stories: one or more data sets, each a "
                                           "file or files joined by '+', streamed as one)")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--orders", type=int, default=5, help="stories: shuffled orders to stream (a dated data set "
                                                          "is streamed in date order only)")
    ev.add_argument("--folds", type=int, default=5, help="topic folds of the cross-validation (a topic is a story id without 'plus')")
    ev.add_argument("--cv-orders", type=int, default=3, help="stories: orders of the cross-validation (one order "
                                                             "overstates: docs/quality-stories.md)")
    ev.add_argument("--jobs", type=int, default=1, help="stories: processes for the cross-validation runs")
    ev.add_argument("--dealings", type=int_list, default=[0, 1, 2],
                    help="stories: seeds of the dealings of topics into folds averaged in the figure of record "
                         "(each costs a cross-validation; 0 alone is the quickest)")
    ev.add_argument("--kafka", action="store_true", help="stories: through the real pipeline on Kafka "
                                                         "(one data file; no cross-validation)")
    ev.set_defaults(fn=cmd_eval)
    fi = sub.add_parser("fit", help="fit the story clustering's key parameters (grid search on topic folds)")
    fi.add_argument("what", choices=["stories"])
    fi.add_argument("data", nargs="+", help="data sets (a file, or files joined by '+'); the objective "
                                           "averages over them")
    fi.add_argument("--out", default=str(ROOT / "services" / "aggregator" / "fitted.json"))
    fi.add_argument("--folds", type=int, default=5)
    fi.add_argument("--orders", type=int, default=3, help="shuffled orders per undated data set")
    fi.add_argument("--jobs", type=int, default=1, help="processes")
    fi.set_defaults(fn=cmd_fit)
    d = sub.add_parser("demo", help="start a broker and the workers, stream seeds/, print the story state")
    d.add_argument("--seeds", default=str(ROOT / "seeds"))
    d.add_argument("--timeout", type=float, default=180.0)
    d.add_argument("--json", action="store_true")
    d.set_defaults(fn=cmd_demo)
    s = sub.add_parser("schemas", help="export the JSON Schemas (or --check for drift)")
    s.add_argument("--check", action="store_true")
    s.set_defaults(fn=cmd_schemas)
    a = sub.add_parser("asyncapi", help="write the AsyncAPI 3.0 document of every topic (or --check for drift)")
    a.add_argument("--check", action="store_true")
    a.set_defaults(fn=cmd_asyncapi)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.fn(args) or 0)
    except SettingsError as exc:  # a bad environment variable: one line, exit 2 like a usage error
        print(f"storystream: error: {exc}", file=sys.stderr)
        return 2
    except KafkaAccessRefused as exc:  # TLS or SASL refused: one line, no retries
        print(f"storystream: error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
