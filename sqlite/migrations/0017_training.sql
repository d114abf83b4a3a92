-- Training courses (培训班): their target units' quotas, sessions, the
-- enrolments units nominate and organisers decide, attendance by QR code or
-- by hand, materials handed out, feedback, completion certificates, and the
-- key that signs the check-in codes.
CREATE TABLE training_courses (
	id           INTEGER PRIMARY KEY,
	title        TEXT NOT NULL,
	organiser_id INTEGER NOT NULL REFERENCES units (id),
	place        TEXT NOT NULL,
	start_day    TEXT NOT NULL,
	end_day      TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	capacity     INTEGER NOT NULL,
	-- counts the course's edits: an edit based on an older version is refused
	version      INTEGER NOT NULL DEFAULT 1,
	article_id   INTEGER REFERENCES articles (id),
	created_by   INTEGER NOT NULL REFERENCES staff (id),
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

CREATE TABLE training_quotas (
	course_id INTEGER NOT NULL REFERENCES training_courses (id),
	unit_id   INTEGER NOT NULL REFERENCES units (id),
	places    INTEGER NOT NULL,
	PRIMARY KEY (course_id, unit_id)
);

CREATE TABLE training_sessions (
	id            INTEGER PRIMARY KEY,
	course_id     INTEGER NOT NULL REFERENCES training_courses (id),
	kind          TEXT NOT NULL,
	topic         TEXT NOT NULL,
	lecturer      TEXT NOT NULL,
	lecturer_org  TEXT NOT NULL DEFAULT '',
	starts_at     TEXT NOT NULL,
	ends_at       TEXT NOT NULL,
	checkin_until TEXT,
	created_at    TEXT NOT NULL
);
CREATE INDEX training_sessions_course ON training_sessions (course_id, starts_at);

CREATE TABLE enrolments (
	id           INTEGER PRIMARY KEY,
	course_id    INTEGER NOT NULL REFERENCES training_courses (id),
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	unit_id      INTEGER NOT NULL REFERENCES units (id),
	status       TEXT NOT NULL,
	nominated_by INTEGER NOT NULL REFERENCES staff (id),
	nominated_at TEXT NOT NULL,
	decided_by   INTEGER REFERENCES staff (id),
	decided_at   TEXT,
	note         TEXT NOT NULL DEFAULT '',
	UNIQUE (course_id, staff_id)
);
CREATE INDEX enrolments_staff ON enrolments (staff_id);

CREATE TABLE training_attendance (
	session_id  INTEGER NOT NULL REFERENCES training_sessions (id),
	staff_id    INTEGER NOT NULL REFERENCES staff (id),
	at          TEXT NOT NULL,
	method      TEXT NOT NULL,
	recorded_by INTEGER NOT NULL REFERENCES staff (id),
	PRIMARY KEY (session_id, staff_id)
);
CREATE INDEX training_attendance_staff ON training_attendance (staff_id);

CREATE TABLE training_materials (
	id           INTEGER PRIMARY KEY,
	session_id   INTEGER NOT NULL REFERENCES training_sessions (id),
	title        TEXT NOT NULL,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	data         BLOB NOT NULL,
	uploaded_by  INTEGER NOT NULL REFERENCES staff (id),
	created_at   TEXT NOT NULL
);
CREATE INDEX training_materials_session ON training_materials (session_id);

CREATE TABLE training_feedback (
	course_id  INTEGER NOT NULL REFERENCES training_courses (id),
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	ratings    TEXT NOT NULL,
	comment    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (course_id, staff_id)
);

CREATE TABLE training_certificates (
	id        INTEGER PRIMARY KEY,
	course_id INTEGER NOT NULL REFERENCES training_courses (id),
	staff_id  INTEGER NOT NULL REFERENCES staff (id),
	seq       INTEGER NOT NULL,
	number    TEXT NOT NULL UNIQUE,
	minutes   INTEGER NOT NULL,
	issued_by INTEGER NOT NULL REFERENCES staff (id),
	issued_at TEXT NOT NULL,
	UNIQUE (course_id, staff_id),
	UNIQUE (course_id, seq)
);
CREATE INDEX training_certificates_staff ON training_certificates (staff_id);

CREATE TABLE training_keys (
	name       TEXT PRIMARY KEY,
	secret     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
