"""Reading a message sent during a quiz: command, contest, new quiz, question for the tutor, or answer."""

from __future__ import annotations

import pytest

from actions.quiz.desk import QuizDesk
from actions.quiz.forms import chosen_letter, non_answer, truth
from actions.quiz.messages import Move, read


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("stop", Move.STOP),
        ("quit", Move.STOP),
        ("end the quiz", Move.STOP),
        ("Stop the quiz!", Move.STOP),
        ("I want to stop", Move.STOP),
        ("I'm done", Move.STOP),
        ("that's enough for today", Move.STOP),
        ("hint", Move.HINT),
        ("can I have a hint?", Move.HINT),
        ("give me a clue please", Move.HINT),
        ("skip", Move.SKIP),
        ("pass", Move.SKIP),
        ("next question", Move.SKIP),
        ("repeat the question", Move.REPEAT),
        ("say that again", Move.REPEAT),
        ("could you repeat that?", Move.REPEAT),
        ("what was the question?", Move.REPEAT),
        ("Sorry, what?", Move.REPEAT),
        ("what's the answer?", Move.SKIP),
        ("just tell me", Move.SKIP),
        ("I was right", Move.CONTEST),
        ("that should count", Move.CONTEST),
        ("I think that should be correct", Move.CONTEST),
        ("but my answer was right!", Move.CONTEST),
        ("quiz me on topic 4", Move.START),
        ("another quiz", Move.START),
        ("what does HEAT stand for?", Move.ASK),
        ("explain GDPR", Move.ASK),
        ("can you tell me about STAR", Move.ASK),
        ("which law covers refunds?", Move.ASK),
        ("why?", Move.ASK),
        # a word or two before the question does not make it an answer
        ("wait, can we just share customer data with anyone?", Move.ASK),
        ("hang on, what does GDPR stand for?", Move.ASK),
        ("sorry, which law covers refunds?", Move.ASK),
        ("wait, is it ok to give customer details to anyone who asks?", Move.ASK),
        ("is it true that the customer is always right?", Move.ASK),
        # answers, including ones that open like a question or hold a command-like word
        ("what I'd do is listen first", Move.ANSWER),
        ("who is responsible? the team", Move.ANSWER),
        ("Resolve?", Move.ANSWER),
        ("is it LATER?", Move.ANSWER),
        ("so is it LATER?", Move.ANSWER),
        ("ok LATER", Move.ANSWER),
        ("Thank", Move.ANSWER),
        ("LATER", Move.ANSWER),
        ("no", Move.ANSWER),
        ("that's right", Move.ANSWER),
        ("it's the same as sales", Move.ANSWER),
        ("it's B", Move.ANSWER),
        ("no idea", Move.ANSWER),
        ("the Equality Act 2010", Move.ANSWER),
        ("Hear, Empathise, Apologise, Take action", Move.ANSWER),
        ("sorry", Move.ANSWER),
    ],
)
def test_messages_are_read_from_their_words(text: str, move: Move) -> None:
    assert read(text) is move


@pytest.mark.parametrize(
    ("text", "contest"),
    [("I was right", True), ("that should count", True), ("shouldn't that count?", True),
     ("it should have been marked correct", True), ("that's right", False), ("right", False),
     ("correct", False), ("I think it's right", False), ("the customer is always right", False)],
)
def test_contests_are_told_from_answers(text: str, contest: bool) -> None:
    assert QuizDesk.is_contest(text) is contest


@pytest.mark.parametrize(
    ("text", "index"),
    [("b", 1), ("(B)", 1), ("it's B", 1), ("It’s b.", 1), ("answer c", 2), ("option 4", 3),
     ("I think it's A", 0), ("D)", 3), ("B please", 1), ("c, final answer", 2), ("e", None),
     ("be", None), ("Thank", None)],
)
def test_option_letters_however_typed(text: str, index: int | None) -> None:
    assert chosen_letter(text, 4) == index


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("no", False), ("nope", False), ("of course", True), ("absolutely", True),
     ("definitely not", False), ("not really", False), ("that's wrong", False), ("I'd say true", True),
     ("not true", False), ("fasle", False), ("ok", None), ("thanks", None)],
)
def test_yes_and_no_on_true_or_false(text: str, value: bool | None) -> None:
    assert truth(text) is value


@pytest.mark.parametrize(
    ("text", "kind"),
    [("no idea", "unsure"), ("not sure", "unsure"), ("I don't know", "unsure"), ("dunno", "unsure"),
     ("lol no idea", "unsure"), ("idk lol", "unsure"), ("this one is hard", "unsure"),
     ("hmm let me think", "chat"), ("hang on", "chat"),
     ("ok", "chat"), ("thanks", "chat"), ("hi", "chat"), ("?", "unsure"), ("Thank", "chat"),
     ("Listen", None), ("no", "chat"), ("no, it's a myth", None)],
)
def test_non_answers_are_recognised(text: str, kind: str | None) -> None:
    assert non_answer(text) == kind
