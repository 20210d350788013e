"""How wide a line of SVG text is drawn, so that a name can be shortened to fit its box.

SVG text does not wrap or clip, and the server does not know the reader's fonts, so the
drawings shorten every name people typed to a width measured with a table of advance widths
(in thousandths of an em), then add an ellipsis; the full name stays in a ``<title>``.

The table is DejaVu Sans's (regular and bold). The drawings name the font stack ``FONT`` of
``partnerships.diagram.drawing``: system-ui, the platform sans (Segoe UI, Roboto, Arial),
then DejaVu Sans, which is what that stack comes to on a Linux machine without the others
(Debian's Chromium here and in CI). DejaVu Sans, drawn after Bitstream Vera, is wider than
the fonts before it for nearly every letter, so a name that fits by this table fits in
them too; ``MARGIN`` covers the few glyphs where they are a little wider.

Characters outside the table are counted generously: one em for a wide (CJK) character or
any other letter, 1.3 em for a symbol (emoji are drawn about 1.25 em wide), nothing for
combining marks and invisible format characters (bidirectional isolates among them).

Source of the numbers: DejaVuSans.ttf and DejaVuSans-Bold.ttf, version 2.37 (Debian's
fonts-dejavu-core), read by ``scripts/svg_font_widths.py`` (its 'hmtx' advance widths,
rounded up). DejaVu fonts: Bitstream Vera license, DejaVu changes in the public domain
(https://dejavu-fonts.github.io/License.html); font metrics are facts about the font and the
font itself is not copied here.
"""

from __future__ import annotations

import unicodedata
from functools import cache

ELLIPSIS = "…"
MARGIN = 1.02  # the width of a string, times this, must fit


def _table(*blocks: int | str) -> dict[str, int]:
    """(first code point, its widths and the next ones', space separated), repeated."""
    widths = {}
    for first, row in zip(blocks[::2], blocks[1::2], strict=True):
        for i, width in enumerate(str(row).split()):
            widths[chr(int(first) + i)] = int(width)
    return widths


REGULAR = _table(
    0x0020,
    "318 401 460 838 637 951 780 275 391 391 500 838 318 361 318 337 "
    "637 637 637 637 637 637 637 637 637 637 337 337 838 838 838 531 "
    "1000 685 687 699 771 632 576 775 752 295 295 656 558 863 749 788 "
    "604 788 695 635 611 732 685 989 686 611 686 391 337 391 838 500 "
    "500 613 635 550 635 616 353 635 634 278 278 580 278 975 634 612 "
    "635 635 412 521 393 634 592 818 592 592 525 637 337 637 838 ",
    0x00A0,
    "318 401 637 637 637 637 337 500 500 1000 472 612 838 361 1000 500 "
    "500 838 401 401 500 637 637 318 500 401 472 612 970 970 970 531 "
    "685 685 685 685 685 685 975 699 632 632 632 632 295 295 295 295 "
    "775 749 788 788 788 788 788 838 788 732 732 732 732 611 605 630 "
    "613 613 613 613 613 613 982 550 616 616 616 616 278 278 278 278 "
    "612 634 612 612 612 612 612 838 612 634 634 634 634 592 635 592 "
    "685 613 685 613 685 613 699 550 699 550 699 550 699 550 771 635 "
    "775 635 632 616 632 616 632 616 632 616 632 616 775 635 775 635 "
    "775 635 775 635 752 634 917 695 295 278 295 278 295 278 295 278 "
    "295 278 590 556 295 278 656 580 580 558 278 558 278 558 375 558 "
    "342 563 285 749 634 749 634 749 634 814 749 634 788 612 788 612 "
    "788 612 1070 1023 695 412 695 412 695 412 635 521 635 521 635 521 "
    "635 521 611 393 611 393 611 393 732 634 732 634 732 634 732 634 "
    "732 634 732 634 989 818 611 592 611 686 525 686 525 686 525 353 ",
    0x0370,
    "655 568 862 648 279 279 749 650 0 0 500 550 550 550 337 295 "
    "0 0 0 0 500 500 693 318 747 872 409 0 813 0 825 826 "
    "339 685 687 558 685 632 686 752 788 295 656 685 863 749 632 788 "
    "752 604 0 632 611 611 788 686 788 765 295 611 660 541 634 339 "
    "579 660 639 592 612 541 544 634 612 339 590 592 637 559 558 612 "
    "603 635 587 634 603 579 660 578 660 838 339 579 612 579 838 656 "
    "615 620 699 843 699 660 838 664 788 612 649 587 576 459 660 660 "
    "866 628 934 838 759 660 792 615 687 607 768 625 700 612 611 537 "
    "664 635 550 278 788 616 616 605 635 699 863 651 635 704 699 704 ",
    0x0400,
    "632 632 787 610 699 635 295 295 295 1094 1045 787 710 749 610 752 "
    "685 687 687 610 782 632 1078 642 749 749 710 752 863 752 788 752 "
    "604 699 611 610 861 686 777 686 1070 1094 833 883 687 699 1080 695 "
    "613 617 590 526 692 616 901 532 650 650 605 640 755 654 612 654 "
    "635 550 583 592 855 592 681 591 916 942 707 790 590 549 842 602 "
    "616 616 625 526 549 521 278 278 278 903 899 652 605 650 592 654 ",
    0x2010,
    "361 361 637 500 1000 1000 500 500 318 318 318 318 519 519 519 519 "
    "500 500 590 590 335 668 1000 318 ",
)
BOLD = _table(
    0x0020,
    "349 457 521 838 696 1002 873 307 458 458 523 838 380 416 380 366 "
    "696 696 696 696 696 696 696 696 696 696 400 400 838 838 838 581 "
    "1000 774 763 734 831 684 684 821 837 373 373 775 638 996 837 851 "
    "733 851 771 721 683 813 774 1104 771 725 726 458 366 458 838 500 "
    "500 675 716 593 716 679 436 716 712 343 343 666 343 1042 712 688 "
    "716 716 494 596 479 712 652 924 646 652 583 712 366 712 838 ",
    0x00A0,
    "349 457 696 696 637 696 366 500 500 1000 564 646 838 416 1000 500 "
    "500 838 438 438 500 736 637 380 500 438 564 646 1036 1036 1036 581 "
    "774 774 774 774 774 774 1085 734 684 684 684 684 373 373 373 373 "
    "838 837 851 851 851 851 851 838 851 813 813 813 813 725 738 720 "
    "675 675 675 675 675 675 1048 593 679 679 679 679 343 343 343 343 "
    "688 712 688 688 688 688 688 838 688 712 712 712 712 652 716 652 "
    "774 675 774 675 774 675 734 593 734 593 734 593 734 593 831 716 "
    "838 716 684 679 684 679 684 679 684 679 684 679 821 716 821 716 "
    "821 716 821 716 837 712 974 791 373 343 373 343 373 343 373 343 "
    "373 343 745 686 373 343 775 666 666 638 343 638 343 638 480 638 "
    "557 643 372 837 712 837 712 837 712 983 837 712 851 688 851 688 "
    "851 688 1167 1095 771 494 771 494 771 494 721 596 721 596 721 596 "
    "721 596 683 479 683 479 683 479 813 712 813 712 813 712 813 712 "
    "813 712 813 712 1104 924 725 652 725 726 583 726 583 726 583 436 ",
    0x0370,
    "698 565 1022 836 302 302 837 701 0 0 500 593 550 550 400 373 "
    "0 0 0 0 442 500 798 380 846 1009 564 0 891 0 980 895 "
    "390 774 763 638 774 684 726 837 851 373 775 774 996 837 632 851 "
    "837 733 0 684 683 725 851 771 850 851 373 725 688 557 712 390 "
    "676 688 716 682 688 557 591 712 688 390 711 633 736 682 591 688 "
    "792 716 593 779 639 676 783 646 794 870 390 676 688 676 870 775 "
    "651 661 747 982 747 797 870 744 851 688 734 593 684 494 703 660 "
    "919 627 1093 838 833 716 928 744 734 651 789 671 752 716 683 590 "
    "744 716 593 343 851 645 645 738 716 734 996 732 716 699 734 699 ",
    0x0400,
    "684 684 879 638 734 721 373 373 373 1155 1130 879 818 837 771 837 "
    "774 763 763 638 891 684 1225 711 837 837 818 831 996 837 851 837 "
    "733 734 683 771 992 771 928 809 1236 1326 940 1037 763 734 1174 771 "
    "675 699 633 523 808 679 996 582 701 701 679 733 818 691 688 691 "
    "716 593 580 652 993 646 742 687 1063 1106 752 905 633 593 973 643 "
    "679 679 714 523 593 596 343 343 343 992 957 735 679 701 652 691 ",
    0x2010,
    "416 416 696 500 1000 1000 500 500 380 380 380 380 658 658 658 658 "
    "500 500 640 640 334 667 1000 349 ",
)


@cache
def _unlisted(char: str) -> int:
    """The width of a character outside the table: generous, never too narrow."""
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf", "Cc"):
        return 0
    if category == "So":
        return 1300
    return 1000


def advance(char: str, *, bold: bool = False) -> int:
    """One character's advance width, in thousandths of an em."""
    width = (BOLD if bold else REGULAR).get(char)
    return _unlisted(char) if width is None else width


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """How wide the text is drawn at this font size (in the drawing's units), at most."""
    return sum(advance(c, bold=bold) for c in text) * font_size * MARGIN / 1000


def fit(text: str, font_size: float, width: float, *, bold: bool = False) -> str:
    """The text on one line (its runs of spaces made one) if it fits the width; otherwise as
    much of it as fits followed by an ellipsis."""
    text = " ".join(text.split())
    if text_width(text, font_size, bold=bold) <= width:
        return text
    room = width * 1000 / (font_size * MARGIN) - advance(ELLIPSIS, bold=bold)
    used = 0
    for end, char in enumerate(text):
        used += advance(char, bold=bold)
        if used > room:
            return text[:end].rstrip() + ELLIPSIS
    return text + ELLIPSIS  # not reached: the whole text would have fitted
