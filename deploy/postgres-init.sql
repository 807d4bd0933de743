-- The tutor's databases (deploy/compose.yml runs this once, when the data volume is new).
-- tutor_progress is POSTGRES_DB; Rasa would create tutor_tracker itself, but two Rasa servers
-- starting together race to create its tables.
CREATE DATABASE tutor_tracker;
CREATE DATABASE tutor_logbook;
