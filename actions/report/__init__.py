"""Tutors' views: the activity report (``tutor report``) and the document preview (``tutor preview``)."""
