"""
The exams app's models, one module per concern:

- `questions`: the question bank (题库), papers and imports;
- `centres`: exams (考试项目), test centres (考点) and rooms, sessions (场次), bookings;
- `attempts`: a candidate's paper, answers and timeline, for a sitting or for practice;
- `certificates`: certificates issued on a pass, their history and the bureau's settings;
- `reports`: the bureau's monthly report.
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
from exams.models.certificates import (
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateEvent,
    CertificateSettings,
    CertificateStatus,
    NumberFormat,
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
from exams.models.reports import MonthlyReport

__all__ = [
    "AnswerSave",
    "Attempt",
    "AttemptEvent",
    "AttemptQuestion",
    "BlueprintRule",
    "Booking",
    "BookingEvent",
    "Certificate",
    "CertificateAction",
    "CertificateCounter",
    "CertificateEvent",
    "CertificateSettings",
    "CertificateStatus",
    "Exam",
    "ExamSession",
    "ImportJob",
    "MonthlyReport",
    "NumberFormat",
    "Paper",
    "PaperQuestion",
    "Question",
    "QuestionBank",
    "QuestionTag",
    "Regrading",
    "Room",
    "TestCentre",
]
