"""Forms of the import pages: the upload, the sheet, the column mapping with the quadrant
rules, apply."""

from __future__ import annotations

from django import forms

from transfer import imports

TEAMS_FROM = [
    ("auto", "The team column, else the department column"),
    ("team", "The team column"),
    ("department", "The department column"),
    ("both", "Both columns"),
    ("none", "Neither: make no teams"),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file or spreadsheet",
        help_text=f"An export from your HR system (CSV, .xlsx, .xls or .ods), at most "
        f"{imports.MAX_FILE_BYTES // 2**20} MB and {imports.MAX_ROWS:,} people, with a header "
        "row.",
        error_messages={
            "required": "Choose the file to import.",
            "empty": "The file is empty.",
        },
    )
    encoding = forms.ChoiceField(
        choices=list(imports.ENCODINGS.items()),
        initial="utf-8",
        label="Encoding of a CSV file",
        help_text="Most exports are UTF-8; UTF-8 and UTF-16 files that start with a byte-order "
        "mark are recognised whatever this says, and spreadsheets need no encoding. Choose "
        "Latin-1 or Windows-1252 if accents come out wrong or the preview says so.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limits = imports.upload_limits()
        if upload.size > limits.file_bytes:
            raise forms.ValidationError(
                "The file is %(size).1f MB; the limit is %(limit)s MB. Split it, or leave out "
                "columns you do not import.%(pointer)s",
                code="file_too_large",
                params={
                    "size": upload.size / 2**20,
                    "limit": limits.megabytes,
                    "pointer": limits.pointer(),
                },
            )
        return upload


class SheetForm(forms.Form):
    """Which sheet of a workbook to read."""

    sheet = forms.ChoiceField(label="Sheet")

    def __init__(self, *args, sheets: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in sheets]


class MappingForm(forms.Form):
    """One choice per field of ours (a column of the file, or none), then the quadrant rules."""

    no_reporting_lines = forms.BooleanField(
        required=False,
        label="This file has no reporting lines",
        help_text="Tick this only when no column holds the manager: people are imported "
        "without a chain of command, their quadrants read from their titles.",
    )
    partial = forms.BooleanField(
        required=False,
        label="This file holds only part of the organization",
        help_text="Adds and updates the people in it and archives nobody; their managers may "
        "be people already in the organization.",
    )
    leadership_levels = forms.IntegerField(
        min_value=0,
        max_value=10,
        initial=imports.QuadrantRules.leadership_levels,
        label="Levels below the top that are leadership whatever their titles",
        help_text="When the file has no quadrant column: the top of the reporting tree is "
        "leadership, and so is anyone reporting to a leader whose title holds one of the words "
        "below; under them, people with reports are managers and the others employees.",
    )
    leadership_titles = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Titles that read as leadership",
        help_text="One word or phrase per line (or separated by commas), matched as whole words "
        "in any case. Kept for this organization's next imports when you apply.",
    )
    teams_from = forms.ChoiceField(
        choices=TEAMS_FROM, initial="auto", label="Teams come from", required=True
    )
    team_lines = forms.BooleanField(
        required=False,
        initial=True,
        label="Give teams their relationships",
        help_text="In the “Team stewardship” partnership: each team directs the employees on "
        "it, the manager above it guides it and the leader above it influences it.",
    )

    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —"), *((h, h) for h in headers if h)]
        columns = {}
        for name, label in imports.FIELDS.items():
            columns[f"column_{name}"] = forms.ChoiceField(
                choices=choices, required=False, label=label
            )
        self.fields = {**columns, **self.fields}

    def column_fields(self):
        return [self[f"column_{name}"] for name in imports.FIELDS]

    def scope_fields(self):
        return [self["no_reporting_lines"], self["partial"]]

    def rule_fields(self):
        return [
            self["leadership_levels"],
            self["leadership_titles"],
            self["teams_from"],
            self["team_lines"],
        ]

    def clean(self):
        data = super().clean()
        mapping = self.mapping()
        if not mapping.get("external_id"):
            self.add_error("column_external_id", "Choose the column that holds the employee id.")
        if not {"name", "first_name", "last_name"} & mapping.keys():
            self.add_error(
                "column_name", "Choose the column with the name, or first and last name."
            )
        if not set(imports.MANAGER_FIELDS) & mapping.keys() and not data.get("no_reporting_lines"):
            self.add_error(
                "column_manager_id",
                "Choose the column that holds each person's manager (their employee id or "
                "email), or tick “This file has no reporting lines”. Without it everyone would "
                "be the top of the organization.",
            )
        seen: dict[str, str] = {}
        for name, header in mapping.items():
            if header in seen:
                self.add_error(
                    f"column_{name}",
                    f"“{header}” is already mapped to {imports.FIELDS[seen[header]]}.",
                )
            seen.setdefault(header, name)
        return data

    def mapping(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[f"column_{name}"] for name in imports.FIELDS if data.get(f"column_{name}")
        }

    def rules(self) -> imports.QuadrantRules:
        return imports.QuadrantRules(
            leadership_levels=self.cleaned_data["leadership_levels"],
            leadership_titles=imports.title_words(self.cleaned_data["leadership_titles"]),
            teams_from=self.cleaned_data["teams_from"],
            team_lines=self.cleaned_data["team_lines"],
        )


class ApplyForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Asked for (and checked by the service) when the import archives more than a tenth of
    # the active people.
    archive_count = forms.IntegerField(
        required=False,
        min_value=0,
        label="To apply it, type how many people it archives",
        error_messages={"invalid": "Type the number of people it archives, in digits."},
    )
