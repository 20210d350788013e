"""Forms of the import pages: the upload, the column mapping with the quadrant rules, apply."""

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
        label="CSV file",
        help_text=f"An export from your HR system, at most {imports.MAX_FILE_BYTES // 2**20} MB "
        f"and {imports.MAX_ROWS:,} people, with a header row.",
        error_messages={
            "required": "Choose the CSV file to import.",
            "empty": "The file is empty.",
        },
    )
    encoding = forms.ChoiceField(
        choices=list(imports.ENCODINGS.items()),
        initial="utf-8",
        help_text="Most exports are UTF-8. Choose Latin-1 or Windows-1252 if accents come out "
        "wrong or the preview says so.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(
                "The file is %(size).1f MB; the limit is %(limit)s MB. Split it, or leave out "
                "columns you do not import.",
                code="file_too_large",
                params={"size": upload.size / 2**20, "limit": imports.MAX_FILE_BYTES // 2**20},
            )
        return upload


class MappingForm(forms.Form):
    """One choice per field of ours (a column of the file, or none), then the quadrant rules."""

    leadership_levels = forms.IntegerField(
        min_value=0,
        max_value=10,
        initial=imports.QuadrantRules.leadership_levels,
        label="Levels of leadership below the top",
        help_text="When the file has no quadrant column: the top of the reporting tree and the "
        "people this many levels below it are leadership; below that, people with reports are "
        "managers and the others employees.",
    )
    teams_from = forms.ChoiceField(
        choices=TEAMS_FROM, initial="auto", label="Teams come from", required=True
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

    def rule_fields(self):
        return [self["leadership_levels"], self["teams_from"]]

    def clean(self):
        data = super().clean()
        mapping = self.mapping()
        if not mapping.get("external_id"):
            self.add_error("column_external_id", "Choose the column that holds the employee id.")
        if not {"name", "first_name", "last_name"} & mapping.keys():
            self.add_error(
                "column_name", "Choose the column with the name, or first and last name."
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
            teams_from=self.cleaned_data["teams_from"],
        )


class ApplyForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
