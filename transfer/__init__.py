"""Moving an organization in and out as a whole: the HR import (parse, preview, apply), the
CSV exports, and the JSON backup and its restore. It stands above org, partnerships and
meetings, because each of these spans all three."""
