"""The revision tutor's action server package: the knowledge engine, quizzes and Rasa actions."""
