"""
The exams app's models, one module per concern:

- `questions`: the question bank (题库), papers and imports;
- `centres`: exams (考试项目), test centres (考点) and rooms, sessions (场次), bookings;
- `attempts`: a candidate's paper, answers and timeline, for a sitting or for practice.
"""

from exams.models.attempts import (
    AnswerSave,
    Attempt,
    AttemptEvent,
    AttemptQuestion,
    Regrading,
)
from exams.models.centres import (
    Booking,
    BookingEvent,
    Exam,
    ExamSession,
    Room,
    TestCentre,
)
from exams.models.questions import (
    BlueprintRule,
    ImportJob,
    Paper,
    PaperQuestion,
    Question,
    QuestionBank,
    QuestionTag,
)

__all__ = [
    "AnswerSave",
    "Attempt",
    "AttemptEvent",
    "AttemptQuestion",
    "BlueprintRule",
    "Booking",
    "BookingEvent",
    "Exam",
    "ExamSession",
    "ImportJob",
    "Paper",
    "PaperQuestion",
    "Question",
    "QuestionBank",
    "QuestionTag",
    "Regrading",
    "Room",
    "TestCentre",
]
