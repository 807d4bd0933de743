"""The misconception detector on the real documents, the real MiniLM model and spaCy's parse.

The messages here are written for these tests (none is copied from the evaluation sets): what a
learner would say that takes a misconception's mistaken side, and what takes its correct side, asks
about it, or asks the tutor for help with it. Each held message names a word that the quoted
misconception must contain, so a correction of the wrong misconception fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from actions.answers import misconception_judge as judging
from actions.answers.misconceptions import MisconceptionDetector
from actions.answers.nlp import normalise
from actions.answers.stance import read_message
from actions.knowledge.base import KnowledgeBase

from .helpers import NEW_DOC, copy_seeds


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> MisconceptionDetector:
    base = tmp_path_factory.mktemp("misconceptions")
    kb = KnowledgeBase(copy_seeds(base / "knowledge"), base / "index")
    kb.rebuild()
    return MisconceptionDetector(kb)


@pytest.mark.parametrize(("message", "word"), [
    ("whatever a customer wants, they get it, because customers are never wrong", "always right"),
    ("handling complaints is only ever the team leader's responsibility", "manager"),
    ("there's no point keeping a log of the calls I take", "log|documenting"),
    ("frankly, customer service is just marketing by another name", "sales"),
    ("we can pass customer information to any partner company without asking anyone", "shared"),
    # two bullets name this mistake ("failing to tailor", "the same style for all"): either will do
    ("I never bother adapting the way I talk to different customers", "communication style"),
    ("Is it ok to read a customer's account details out before checking their identity?",
     "verification"),
    ("proactive service and reactive service are exactly the same thing", "proactive"),
    ("honestly u dont need to bother with metrics, u can tell if service is good", "metrics"),
    # casual statements: a condition typed without a comma before the main clause, an interjection,
    # a topic put first without a verb
    ("when someone complains i just get my manager to sort it", "manager"),
    ("nah you dont need to bother with eye contact, customers dont notice", "non-verbal"),
    ("proactive or reactive, theyre basically one and the same", "proactive"),
    # a conjoined verb with its own subject or negation read on its own; "doesn't matter what X"
    # as indifference to X; hedged narrowing
    ("i never handle complaints myself, i just hand them to my manager", "manager"),
    ("we collect customer feedback and didnt bother telling them what changed", "close the loop"),
    ("customer service = basically just sales", "sales"),
    ("being nice is basically all customer service is", "friendly|polite"),
    ("i use the same script for everyone, doesnt matter what the problem is", "script"),
    ("improvement ideas dont need to say what they cost or how long they take", "cost"),
])
def test_a_held_misconception_is_corrected_with_the_right_one(
    detector: MisconceptionDetector, message: str, word: str
) -> None:
    match = detector.check(message)
    assert match is not None, message
    # "a|b": two bullets say the same (logging and documenting; friendly and polite)
    assert any(w in match.misconception.text.lower() for w in word.split("|")), (
        message, match.misconception.text)


@pytest.mark.parametrize("message", [
    # wh-questions, wherever the question word stands
    "during a phone call, how should I confirm who the caller is?",
    "for the assessment, what counts as closing the feedback loop?",
    "we should close the loop with customers when, exactly?",
    "proactive service means what, exactly?",
    # requests
    "could you give me some pointers on logging calls?",
    "explain why adapting my communication style matters",
    "any advice on passing complaints to a manager?",
    "walk me through how to handle customer data safely",
    # the correct view, stated with and without a negation word
    "I check a caller's security answers before I look at their account",
    "every colleague plays a part in putting complaints right",
    "we always let customers know what changed because of their comments",
    "I don't share anyone's details unless they have agreed to it",
    "customer service is about helping people, not pushing sales",
    # chatter
    "thanks, I think I get it now",
    # casual correct views: an interjection before a denial, "can't X without Y" (Y is needed)
    "nah, I never give out account details without security checks",
    "you cant judge service quality without numbers like CSAT",
    "no, complaints arent only for managers, i help too",
    "nah i always tell customers what changed after their feedback",
    # the bullet's own example ("crossing arms") advised against
    "don't cross your arms when a customer is talking, it looks closed off",
    "in a role play, how do I calm down an angry customer?",
    "never promise what the team cant deliver",
])
def test_questions_requests_and_the_correct_view_are_not_corrected(
    detector: MisconceptionDetector, message: str
) -> None:
    match = detector.check(message)
    assert match is None, (message, match and match.misconception.text)


@pytest.mark.parametrize(("message", "asks"), [
    ("in a role play, what should I say first?", True),
    ("the loop gets closed how?", True),
    ("so writing call notes matters why exactly", True),  # typed without a question mark
    ("a customer gets what they want no matter what", False),
    ("tips on writing call notes please", True),
    ("can you test me on data protection", True),
    ("I confirm who I'm speaking to before I open an account", False),
    ("I tell customers what we changed", False),
    ("when I take a complaint I deal with it myself", False),
])
def test_speech_acts_are_read_from_the_parse(message: str, asks: bool) -> None:
    assert read_message(message).information_request is asks


def test_negation_and_narrowing_are_read_per_clause() -> None:
    clauses = read_message("the customer isn't always right, so I follow our policies").clauses
    assert [c.negated for c in clauses] == [True, False]
    contrast = read_message("complaints are the manager's job, not mine").whole
    assert not contrast.negated and contrast.exclusive
    assert read_message("good service is more than being friendly").whole.broadened
    # indifference: "X regardless of Y" does X exclusively and leaves Y out of account
    plan, channel = read_message("I answer in one fixed way regardless of the channel").clauses
    assert plan.exclusive and not plan.negated and channel.negated
    assert len(read_message("whatever they ask for, they get").clauses) == 2


def test_casual_clauses_are_read() -> None:
    # the main clause after a condition typed without a comma is read (the condition is not)
    *_, main = read_message("if a customer complains I just pass them to my supervisor").clauses
    assert "supervisor" in main.core and main.exclusive and not main.negated
    # ", no need for X" after a clause is a denial of its own, not part of the clause before it
    first, second = read_message("you can just say make it better, no need for costs").clauses
    assert not first.negated and second.negated and "costs" in second.core
    # a tag question and an interjection do not negate what the message says
    assert not read_message("customer service is basically sales, isnt it").whole.negated
    assert read_message("nah you dont need to log calls").whole.negated
    assert [c.negated for c in read_message("no, the customer isnt always right").clauses] == [True]
    # "don't X" is an imperative, read with its negation, not a yes/no question
    advice = read_message("dont fold your arms in front of customers")
    assert not advice.question and advice.whole.negated
    # "can't X without Y": Y is what X needs, and X is neither done nor denied
    (needed,) = read_message("you cant measure service properly without some numbers").clauses
    assert needed.core == "some numbers" and not needed.negated
    # "its" typed for "it's" gives the clause its verb
    assert read_message("its just manners").whole.core == "it's just manners"


def test_clauses_of_their_own_and_idioms_are_read() -> None:
    # a conjoined verb with its own subject or its own negation has its own polarity
    first, second = read_message("I never deal with complaints, I just pass them on").clauses
    assert first.negated and not second.negated and second.exclusive
    done, undone = read_message("I put better service and didn't bother with costs").clauses
    assert not done.negated and undone.negated and "costs" in undone.core
    # one negation before two verbs covers both
    assert len(read_message("I don't log calls or write notes").clauses) == 1
    # "only" after a negation broadens it; before it, it does not
    assert read_message("you can't judge service on gut feeling alone").whole.broadened
    assert read_message("I just don't log calls").whole.negated
    # "doesn't matter what X" after a clause: the clause is exclusive, X is not heeded
    same, problem = read_message("I read the same script, it doesn't matter what the problem is").clauses
    assert same.exclusive and problem.negated and "problem" in problem.core
    # "X doesn't matter when ..." with a subject of its own denies X
    assert read_message("eye contact doesnt really matter when im busy").clauses[0].negated
    # a negation inside a relative or wh-clause is that clause's, not the message's
    (promise,) = read_message("never promise what the team cant deliver").clauses
    assert promise.negated and "can't deliver" in promise.core
    assert not read_message("customers who dont complain are happy").whole.negated
    assert read_message("I think that customers dont care").whole.negated
    # "or not" denies nothing; coordinated wh-clauses stay in the clause that governs them
    assert not read_message("I talk the same way to everyone, angry or not").whole.negated
    assert len(read_message("proposals dont need to say what they cost or how long they take")
               .clauses) == 1
    # "=" typed for "is"; "just" after a comma starts a phrase of its own, not "not just"
    assert read_message("complaints = the managers job").whole.core == "complaints is the managers job"
    assert read_message("i dont write up my calls properly, just a word or two").whole.negated
    # hedged narrowing, and "don't just X" is advice, not a question
    assert read_message("customer service is basically marketing").whole.exclusive
    assert not read_message("dont just read the script, adapt it").question


def test_a_before_clause_with_a_subject_of_its_own_says_when() -> None:
    """ "before they escalate" is a time, asserted by nobody; "before I check" and "before
    checking" still leave the check undone."""
    assert len(read_message("we calm complaints down before they escalate").clauses) == 1
    for message in ("i read out account details before I check who they are",
                    "I discuss the account before checking who is calling"):
        _, check = read_message(message).clauses
        assert check.negated, message


def test_a_warning_against_the_mistake_is_advice() -> None:
    """A message that opens by warning against something ("dont stick rigidly to the script",
    "you shouldnt ignore body language") gives advice and holds nothing in that clause; a
    judgement that something is unneeded ("dont bother logging calls") is no warning."""
    for message in ("dont stick rigidly to the script", "never skip the security check",
                    "you shouldnt ignore body language", "so don't just use one script"):
        assert read_message(message).clauses[0].advice, message
    for message in ("dont bother logging calls", "you shouldnt have to check ID",
                    "I never log calls", "we collect feedback but never tell customers"):
        assert not any(c.advice for c in read_message(message).clauses), message
    first, second = read_message("never argue with a customer, they're always right").clauses
    assert first.advice and not second.advice


def test_giving_a_task_to_someone_else_is_read() -> None:
    """ "X is for managers", "the managers job", "what supervisors get paid for": X is left to
    them alone, and not done by the learner; a pronoun owner or a customer's problem is not."""
    for message in ("complaints r for managers to sort out", "complaints = managers job",
                    "the legal side is for the lawyers", "thats what supervisors get paid for",
                    "its up to the manager to deal with complaints"):
        stance = read_message(message).clauses[0]
        assert stance.assigned and stance.exclusive and not stance.negated, message
    for message in ("complaints arent my responsibility", "dealing with it isn't my job"):
        stance = read_message(message).whole
        assert stance.assigned and not stance.negated, message
    for message in ("its my job to calm customers down", "this is for my exam",
                    "I adapt it to the customer's problem"):
        assert not read_message(message).whole.assigned, message


def test_typed_shorthand_is_spelt_out() -> None:
    assert normalise("tbh i dont think u need it, lol.") == "I don't think you need it."
    assert normalise("Im sure the ID check isnt optional") == "I'm sure the ID check isn't optional"
    assert read_message("i cant see why we would").whole.negated


def test_topic_is_corrected_for_hubness(detector: MisconceptionDetector) -> None:
    """A bullet close to much of what the documents say is marked down as a topic, so that
    "customers" alone does not draw a message to "all customer data can be shared freely"."""
    table = detector._rows()
    assert table.hub is not None and abs(float(table.hub.mean())) < 1e-6
    hubbiest = table.misconceptions[int(table.hub.argmax())].text.lower()
    assert "customer" in hubbiest


def test_claims_are_embedded_once_per_build(detector: MisconceptionDetector) -> None:
    table = detector._rows()
    detector.check("the customer is always right whatever they ask for")
    assert detector._rows() is table


def test_a_new_document_is_checked_without_code_changes(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    kb = KnowledgeBase(folder, tmp_path / "i")
    kb.rebuild()
    detector = MisconceptionDetector(kb)
    message = "if you escalate a call to a supervisor it means you failed"
    before = detector.check(message)
    assert before is None or "escalating a call" not in before.misconception.text
    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    KnowledgeBase(folder, tmp_path / "i").rebuild()
    match = detector.check(message)
    assert match is not None and "escalating" in match.misconception.text
    assert detector.check("when should I escalate a call?") is None


def test_unreadable_examples_leave_the_rules_to_decide(tmp_path: Path) -> None:
    """A broken examples file is logged and ignored: no judge, the rules still correct."""
    folder = copy_seeds(tmp_path / "k")
    (folder / "examples" / "misconceptions.yml").write_text("held: [say: {", encoding="utf-8")
    kb = KnowledgeBase(folder, tmp_path / "i")
    kb.rebuild()
    detector = MisconceptionDetector(kb)
    assert detector.judge() is None
    match = detector.check("the customer is always right whatever they ask for")
    assert match is not None and "always right" in match.misconception.text


def test_examples_of_a_bullet_that_is_gone_are_skipped(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    kb = KnowledgeBase(folder, tmp_path / "i")
    kb.rebuild()
    items = kb.catalogue.misconceptions
    path = tmp_path / "examples.yml"
    path.write_text("held:\n- say: the moon is made of cheese\n  expect: [[cheese]]\n"
                    "- say: the customer is always right\n  expect: [[always right]]\n"
                    "not_held:\n- say: hello there\n", encoding="utf-8")
    examples = judging.load_examples(path, items)
    assert [e.say for e in examples] == ["the customer is always right", "hello there"]
    assert "always right" in items[examples[0].target].text and examples[1].target == -1


def test_a_tutors_first_few_examples_make_a_judge(tmp_path: Path) -> None:
    """A handful of examples (one only an emoji) beside the documents' own is enough to fit a
    judge, n-grams and all, which then gives a probability for every misconception."""
    folder = copy_seeds(tmp_path / "k")
    (folder / "examples" / "misconceptions.yml").write_text(
        "held:\n- say: the customer is always right whatever they want\n"
        "  expect: [[always right]]\n"
        "not_held:\n- say: \"\U0001F642\"\n- say: what does HEAT stand for?\n", encoding="utf-8")
    kb = KnowledgeBase(folder, tmp_path / "i")
    kb.rebuild()
    detector = MisconceptionDetector(kb)
    judge = detector.judge()
    assert judge is not None and judge.wording is not None and judge.wording.vectorizers
    assert detector.check("what does LAST stand for?") is None
    reading = detector.reading("honestly the customer is always right, whatever they ask for")
    assert reading is not None
    chances = judge.probabilities(reading)
    assert chances.shape == (len(kb.catalogue.misconceptions),)
    assert ((chances >= 0) & (chances <= 1)).all()


def test_saved_judges_are_pruned(tmp_path: Path) -> None:
    judge = judging.Judge(None, np.zeros((0, 3)), np.zeros(0, int), np.zeros(0, int), 0, None,  # type: ignore[arg-type]
                          None)
    for i in range(6):
        judging.save(judge, tmp_path / f"{i}.pkl", keep=4)
        os.utime(tmp_path / f"{i}.pkl", (i, i))
    judging.save(judge, tmp_path / "new.pkl", keep=4)
    assert sorted(p.name for p in tmp_path.glob("*.pkl")) == ["3.pkl", "4.pkl", "5.pkl", "new.pkl"]
    assert isinstance(judging.load_saved(tmp_path / "new.pkl"), judging.Judge)
    assert judging.load_saved(tmp_path / "0.pkl") is None
