"""lifecircle.ingest — interface files of the landing folder into the lake (module A).

Entry point: :func:`lifecircle.ingest.job.run`. Tables written: ``raw/signaling``, the monthly
``raw/subscribers``, ``raw/usage``, ``raw/product_status``, ``raw/complaints``,
``raw/ocrm_feedback``, ``dim/cells``, ``dim/places``, ``dim/cell_place``, ``dim/events``,
``dim/products``, ``raw/quarantine``, ``ops/lake_key`` (the key fingerprint), the vault's ``vault/identity``
and the ledger ``ops/ingest_files``.

Quarantine reason codes (``raw/quarantine.reason``; the first failing check wins, in this order)

Files as a whole (one row with ``line_no`` 0; the run goes on, see :mod:`lifecircle.ingest.files`):
``corrupt_gzip`` (a cut or corrupt gzip stream: the lines before the damage are ingested),
``not_gzip`` (named ``.gz``, read as plain text), ``unreadable_file`` (listed, then not readable).

Signaling (``signaling/YYYYMMDD/*.txt[.gz]``):

- ``encoding`` — the line is not valid UTF-8 (``raw`` keeps it with U+FFFD for the bad bytes)
- ``field_count`` — not exactly 5 ``|``-separated fields (a truncated last line usually lands here;
  ``detail`` then says "last line has no line end")
- ``bad_msisdn`` — not 11 digits starting with 1 after stripping whitespace and a leading ``+86``/``86``
- ``bad_timestamp`` — ``event_time`` is not a real local time ``yyyyMMddHHmmss``
- ``ts_outside_day`` — ``event_time`` is not on the day of the file's folder
- ``bad_event_type`` — not an integer 1–10
- ``bad_cell_key`` — ``lac`` or ``cell_id`` empty or not an integer
- ``unknown_cell`` — ``(lac, cell_id)`` is not in ``dim/cells``

CSV files (``params/*``, ``boss/*``, ``vgop/*``, ``crm/*``, ``ocrm/*``; the header line is no record):

- ``encoding`` — the line is not valid UTF-8
- ``bad_header`` — (added by this suite) the file's first non-blank line is not the header
  INTERFACES.md gives for the file (compared ignoring case, spaces and quotes); every line of
  such a file is quarantined, since its fields cannot be trusted to be in the expected order
- ``field_count`` — not the number of fields of the header (quoted fields may contain commas)
- ``missing_required`` — a required field is empty (optional: ``cells.azimuth``,
  ``places.category_l3``, ``subscribers.gender``, ``subscribers.birth_year``,
  ``products.launch_date``, ``ocrm_feedback.opened_within_days``)
- ``bad_msisdn`` — as for signaling
- ``bad_number`` — not a number, or outside its range: integers; amounts with at most 2 decimals;
  counts, minutes, MB, fees ≥ 0; longitude ±180, latitude ±90, azimuth 0–360, weight in (0, 1],
  birth_year 1900–2100
- ``bad_date`` — not a real ``yyyy-MM-dd`` date, ``yyyy-MM-dd HH:mm:ss`` time or ``yyyyMM`` month;
  also an event that ends before it starts and a usage row whose ``month`` is not its file's month
- ``bad_enum`` — outside the vocabulary of INTERFACES.md (brand, tier, gender, status, channel,
  response, ``is_landmark`` 0/1)

Not quarantined but counted: ``duplicate`` — a later copy of a record already accepted (signaling:
same normalized msisdn, event_time, event_type, lac, cell_id; CSV: all normalized fields equal),
whether the first copy came in the same file, another file of the same run, or an earlier run.

Re-delivery keeps every record a current file still holds. When a new version of a file replaces
the old one, the old version's rows leave its partition (day or month); the other current files of
that kind and partition whose ledger row counts duplicates may hold copies of those rows, so they
are read again in the same run (summary: "read again") and their copies compete anew: the stored
copy is the one of the earliest-ingested current version holding the record, in ledger order then
by path, and its ``source_file``/``line_no`` name that file. The ledger row of a file read again is
rewritten with its new counts (still ``current``, same hash and ``ingested_at``). A params file
rewrites its whole dimension table, so every other current file of its kind is read again with it.
If such a file is no longer in the landing folder (or cannot be read), the run stops with one line
naming it before anything is written: put it back, or take the new version out again. A current
file that counted no duplicates holds no copy anyone else's rows depend on, so its absence is fine.

``raw`` never holds a full number: the msisdn field is masked to its first 3 and last 2 characters
(``138******00``) and any other run of 10 or more digits in the line likewise
(``fields.mask_numbers_in_text``); ``vault/identity``, under the vault root beside the lake, is
the only table with raw msisdns.
"""
