"""The fakes' file calls, driven by the real client libraries: Telegram sendPhoto/sendDocument
(multipart) and Slack's three-step external upload. What arrives must equal what was sent."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot, InputFile
from telegram.error import BadRequest

from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.briefs import PNG_SIGNATURE, pdf, png


def test_telegram_photo_and_document_arrive_byte_for_byte() -> None:
    image, document = png(shade=7), pdf("hello")

    async def main(fake: FakeTelegramServer) -> None:
        async with Bot("1:x", base_url=fake.base_url) as bot:
            photo = await bot.send_photo(42, InputFile(image, filename="c.png"), caption="Chart")
            assert photo.photo and photo.caption == "Chart"
            doc = await bot.send_document(42, InputFile(document, filename="b.pdf"))
            assert doc.document is not None and doc.document.file_name == "b.pdf"
            with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
                await bot.send_photo(42, InputFile(b"not an image", filename="x.png"))

    with FakeTelegramServer() as fake:
        asyncio.run(main(fake))
        uploads = fake.uploads(42)
    assert [(u.kind, u.filename, u.caption) for u in uploads] == [
        ("photo", "c.png", "Chart"),
        ("document", "b.pdf", ""),
    ]
    assert uploads[0].data == image and uploads[0].data.startswith(PNG_SIGNATURE)
    assert uploads[1].data == document and uploads[1].data.startswith(b"%PDF")


def test_slack_external_upload_three_steps_arrive_byte_for_byte() -> None:
    document = pdf("brief") * 50

    async def main(fake: FakeSlackServer) -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
        response = await client.files_upload_v2(
            channel="C1",
            thread_ts="1.2",
            file_uploads=[
                {"content": document, "filename": "b.pdf", "title": "Brief"},
                {"content": png(), "filename": "c.png", "title": "Chart"},
            ],
        )
        assert [f["name"] for f in response["files"]] == ["b.pdf", "c.png"]
        with pytest.raises(SlackApiError, match="file_not_found"):
            await client.files_completeUploadExternal(files=[{"id": "F404"}], channel_id="C1")
        await client.session.close() if client.session else None

    with FakeSlackServer() as fake:
        fake.add_channel("C1")
        asyncio.run(main(fake))
        shared = fake.shared("C1")
        steps = [c.method for c in fake.calls]
    assert [(f.filename, f.title, f.thread_ts) for f in shared] == [
        ("b.pdf", "Brief", "1.2"),
        ("c.png", "Chart", "1.2"),
    ]
    assert shared[0].data == document
    assert steps[:5] == [
        "files.getUploadURLExternal",
        "files.getUploadURLExternal",
        "upload",
        "upload",
        "files.completeUploadExternal",
    ]
