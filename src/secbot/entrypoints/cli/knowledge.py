"""ask, ingest, index rebuild and eval: the retrieval side from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from secbot.access.principal import Place, Principal
from secbot.config import Settings
from secbot.entrypoints.bootstrap import App, build
from secbot.entrypoints.cli.app import app, index_cli
from secbot.entrypoints.cli.common import load_app
from secbot.identity import accounts
from secbot.knowledge.passages import Answer
from secbot.transports.console_rooms import PLATFORM

OWN_QUESTIONS = Path("tests/eval/questions.yaml")
UN_QUESTIONS = Path("tests/eval/un_questions.yaml")
UN_CORPUS = Path("../shared/corpus/un-security")
UN_SEED = Path("../shared/seeds/security-management-model.txt")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="omit to read one question a line")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="answer as this console account")] = None,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer a question from the CLI (as an unknown principal unless --as is given)."""
    application = load_app(with_index=True)
    assert application.asker is not None
    questions = [question] if question is not None else (line.strip() for line in sys.stdin)
    for q in questions:
        if not q:
            continue
        with application.db.transaction() as session:
            account = accounts.Account(PLATFORM, "", as_) if as_ else None
            principal = (
                accounts.principal_for(session, account, Place.direct())
                if account
                else Principal.unknown()
            )
            answer = application.asker.ask(session, principal, q)
        if json_ or question is None:
            typer.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        else:
            typer.echo(answer.text)


def answer_json(answer: Answer) -> dict[str, object]:
    return {
        "answer": answer.text,
        "citations": [
            {"source": c.source, "locator": c.locator, "text": c.text, "score": c.score}
            for c in answer.citations
        ],
    }


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (.md .txt .pdf .docx)")],
    remove_: Annotated[bool, typer.Option("--remove", help="take these documents out")] = False,
) -> None:
    """Add documents to the regional knowledge (idempotent), then update the index."""
    from secbot.entrypoints import knowledge_stamp
    from secbot.knowledge import ingest
    from secbot.knowledge.documents import DocumentError

    application = load_app(with_index=True)
    assert application.index is not None

    def progress(n: int, total: int, name: str) -> None:
        if total > 1:
            typer.echo(f"[{n}/{total}] {name}", err=True)

    try:
        if remove_:
            report = ingest.remove(application.db, [str(p) for p in paths])
        else:
            report = ingest.ingest(application.db, paths, progress=progress)
    except DocumentError as error:
        typer.echo(f"{error.path}: {error.message}", err=True)
        raise typer.Exit(1) from None
    knowledge_stamp.forget(application.db)  # a removed knowledge/ file comes back at start
    repaired = application.index.repair()
    for label, names in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged", report.unchanged),
        ("removed", report.removed),
    ):
        if names:
            typer.echo(f"{label}: {', '.join(names)}")
    typer.echo(
        f"{report.chunks} chunks written; index: {repaired.embedded} embedded, "
        f"{repaired.removed} removed, {repaired.total} in all"
    )


@index_cli.command("rebuild")
def index_rebuild() -> None:
    """Recreate the retrieval index from SQL and knowledge/."""
    application = load_app(with_index=True)
    assert application.index is not None
    report = application.index.rebuild()
    typer.echo(f"Index rebuilt: {report.total} units")


@app.command("eval")
def eval_cmd(
    set_: Annotated[
        str, typer.Option("--set", help="own: tests/eval/questions.yaml; un: the UN corpus set")
    ] = "own",
    questions: Annotated[Path | None, typer.Option(help="evaluation set file")] = None,
    seed: Annotated[
        list[Path] | None,
        typer.Option(help="extra documents to ingest first (e.g. the model text)"),
    ] = None,
    split: Annotated[str, typer.Option(help="un set: tune, holdout or all")] = "all",
    corpus: Annotated[Path, typer.Option(help="un set: the corpus folder")] = UN_CORPUS,
    limit: Annotated[
        int, typer.Option(help="un set: at most this many questions per kind (0: all)")
    ] = 0,
    docs: Annotated[
        str, typer.Option(help="un set: ingest `all` corpus documents or only those `needed`")
    ] = "all",
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Retrieval quality and answer latency, in a throw-away data directory.

    --set own (default): recall@1, recall@5 and MRR for BM25, dense and hybrid on the project's
    own set. --set un: ingests the UN corpus (and the seed) through the real ingest path and
    reports recall@1, recall@5, MRR and answer-contains-key per kind, off-topic questions
    declined, and the ablation table (docs/decisions/0016). Never touches the bot's own data."""
    import dataclasses
    import tempfile

    from secbot.knowledge import evaluation, ingest

    if set_ not in ("own", "un"):
        raise typer.BadParameter("use --set own or --set un", param_hint="--set")
    if split not in ("tune", "holdout", "all"):
        raise typer.BadParameter("use tune, holdout or all", param_hint="--split")
    if docs not in ("all", "needed"):
        raise typer.BadParameter("use all or needed", param_hint="--docs")
    with tempfile.TemporaryDirectory(prefix="secbot-eval-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, chroma_url=None)
        application = build(settings, with_index=True)
        assert application.index is not None and application.asker is not None
        if set_ == "un":
            output = _eval_un(application, questions, seed, split, corpus, limit, docs, json_)
            application.db.dispose()
            typer.echo(output)
            return
        if seed:
            ingest.ingest(application.db, seed)
            application.index.repair()
        eval_set = evaluation.load_set(questions or OWN_QUESTIONS)
        report = evaluation.run(
            application.db, application.asker, eval_set.questions, eval_set.negatives
        )
        application.db.dispose()
    if json_:
        typer.echo(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        typer.echo(evaluation.render(report))


def _eval_un(
    application: App,
    questions: Path | None,
    seed: list[Path] | None,
    split: str,
    corpus: Path,
    limit: int,
    docs: str,
    json_: bool,
) -> str:
    """Ingest what the UN set needs, run it, and return the table or the JSON."""
    import time

    from secbot.knowledge import eval_set, eval_un, ingest

    assert application.index is not None and application.asker is not None
    un_set = eval_set.load_un_set(questions or UN_QUESTIONS)
    chosen = eval_set.limit_per_kind(un_set.select(split), limit)
    folder = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    if not folder.is_dir():
        raise typer.BadParameter(f"no corpus folder at {folder}", param_hint="--corpus")
    paths = eval_set.documents_to_ingest(folder, chosen, everything=docs == "all")
    seeds = list(seed) if seed is not None else [p for p in (UN_SEED,) if p.is_file()]
    started = time.perf_counter()
    ingest.ingest(application.db, [*paths, *seeds])
    application.index.repair()
    ingest_seconds = time.perf_counter() - started
    negatives = [(n.id, n.text) for n in un_set.negatives_for(split)]
    if limit:
        negatives = negatives[: max(limit, 1)]
    report = eval_un.run_un(application.db, application.asker, chosen, negatives, split=split)
    report.ingest_seconds = ingest_seconds
    if json_:
        return json.dumps(eval_un.as_json(report), indent=2, ensure_ascii=False)
    return eval_un.render_un(report)
