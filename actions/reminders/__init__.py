"""Review that comes to the learner: the count of questions due, the review quiz of exactly those,
and daily Slack reminders (kept in the progress database, sent by the action server's scheduler).

Layers: :mod:`.clock` (what time it is; replaceable in tests), :mod:`.times` (reading "6pm"),
:mod:`.store` (the reminders table), :mod:`.review` (due questions and the review quiz),
:mod:`.slack` (the Web API calls), :mod:`.service` (who gets a reminder now) and
:mod:`.scheduler` (running it every minute inside the action server).
"""
