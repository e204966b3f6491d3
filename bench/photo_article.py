"""An article with a phone photo, added to a copy of the sample content: what
the Lighthouse run and the screenshots need to show "an article with a picture"
(the sample site's own articles have a drawing at most).

The photo is drawn with Pillow as a phone would hand it over: 4,000 x 3,000,
a JPEG of about 3 MB (a sky, hills and a path, with the fine grain of a sensor).

Run: python3 bench/photo_article.py CONTENT_FOLDER
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SLUG = "a-walk-in-the-hills"
WIDTH, HEIGHT = 4000, 3000


def hills_photo() -> Image.Image:
    sky = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    photo = Image.merge(
        "RGB",
        [sky.point(lambda v, low=low, high=high: low + (high - low) * v // 255) for low, high in
         ((120, 236), (170, 226), (225, 204))],
    )  # fmt: skip
    draw = ImageDraw.Draw(photo)
    draw.ellipse((2900, 380, 3300, 780), fill=(255, 236, 190))
    draw.polygon([(0, 1500), (1300, 1000), (2500, 1450), (4000, 1150), (4000, 3000), (0, 3000)],
                 fill=(96, 128, 84))  # fmt: skip
    draw.polygon([(0, 2000), (1800, 1600), (4000, 2100), (4000, 3000), (0, 3000)],
                 fill=(62, 98, 60))  # fmt: skip
    draw.polygon([(1850, 3000), (2000, 1700), (2080, 1700), (2700, 3000)], fill=(178, 150, 112))
    photo = photo.filter(ImageFilter.GaussianBlur(6))
    grain = Image.effect_noise((WIDTH, HEIGHT), 10).convert("RGB")
    return ImageChops.add(photo, grain, 1, -128)


def add_photo_article(content: Path) -> str:
    """Writes content/images/hills.jpg and an article showing it, dated an hour
    ago (the newest, so it opens the home page and the next newsletter); its slug."""
    hills_photo().save(content / "images" / "hills.jpg", quality=90)
    when = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=1)
    (content / "articles" / f"{SLUG}.md").write_text(
        f"Title: A Walk in the Hills\nDate: {when:%Y-%m-%d %H:%M}\nId: {when:%Y-%m-%d}-{SLUG}\n"
        "Status: published\nCategory: Practice\nTags: Rest, Practice\n"
        "Image: {static}/images/hills.jpg\n"
        "Summary: A slow walk gives every part of you a little room.\n\n"
        "Some questions are easier to hear with your feet moving.\n\n"
        "![The path between two green hills under a morning sky](images/hills.jpg)\n\n"
        "When we walk slowly, the parts of us that hurry have less to push against. "
        "The planner gets quieter; the part that wants rest gets a say.\n",
        encoding="utf-8",
    )
    return SLUG


if __name__ == "__main__":
    print(add_photo_article(Path(sys.argv[1])))
