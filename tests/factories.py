from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import THERAPISTS_GROUP
from clients.models import Client, Screening, ScreeningAnswer
from exercises.models import BodyRegion, Category, Condition, Equipment, Exercise, RedFlag, Tissue
from programs.models import Block, Item, Program, ProgressionRule


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")


class TherapistFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def therapist_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=THERAPISTS_GROUP))


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda term: term.slug.replace("-", " ").title())


class EquipmentFactory(CategoryFactory):
    class Meta:
        model = Equipment
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"equipment-{n}")


class BodyRegionFactory(CategoryFactory):
    class Meta:
        model = BodyRegion
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"region-{n}")


class TissueFactory(CategoryFactory):
    class Meta:
        model = Tissue
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tissue-{n}")


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"condition-{n}")
    name = factory.LazyAttribute(lambda condition: condition.slug.title())
    education = "What this condition is and how movement helps."

    @factory.post_generation
    def red_flags(self, create, count, **kwargs):
        if create:
            RedFlagFactory.create_batch(count if count is not None else 3, condition=self)


class RedFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedFlag

    condition = factory.SubFactory(ConditionFactory, red_flags=0)
    slug = factory.Sequence(lambda n: f"flag-{n}")
    position = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Red flag {n}")
    client_text = factory.Sequence(lambda n: f"you notice red flag {n}")
    kind = RedFlag.Kind.STOP


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Exercise {n:04d}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    summary = "A gentle movement."
    steps = factory.LazyFunction(lambda: ["Start position.", "Move slowly.", "Return."])
    cues = factory.LazyFunction(lambda: ["Breathe."])
    category = factory.SubFactory(CategoryFactory)
    laterality = Exercise.Laterality.EACH_SIDE
    dosing = Exercise.Dosing.REPS
    sets = 1
    reps_min = 8
    reps_max = 10
    progressable = factory.LazyFunction(lambda: ["reps", "sets"])
    owner = None

    @factory.post_generation
    def equipment(self, create, extracted, **kwargs):
        if create and extracted:
            self.equipment.set(extracted)

    @factory.post_generation
    def body_regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.body_regions.set(extracted)

    @factory.post_generation
    def target_tissues(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_tissues.set(extracted)

    @factory.post_generation
    def conditions(self, create, extracted, **kwargs):
        if create and extracted:
            self.conditions.set(extracted)


class CustomExerciseFactory(ExerciseFactory):
    slug = ""
    owner = factory.SubFactory(TherapistFactory)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    therapist = factory.SubFactory(TherapistFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda client: f"{client.first_name.lower()}@example.com")


class ProgramFactory(factory.django.DjangoModelFactory):
    """A draft for a client of the owner's (pass client=None for a template)."""

    class Meta:
        model = Program

    owner = factory.SubFactory(TherapistFactory)
    client = factory.SubFactory(ClientFactory, therapist=factory.SelfAttribute("..owner"))
    title = factory.Sequence(lambda n: f"Program {n}")
    weeks = 8
    sessions_per_week = 3


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Block {n}")
    position = factory.Sequence(int)


class ItemFactory(factory.django.DjangoModelFactory):
    """An each-side exercise, 2 × 8–10 reps, that can progress load and reps."""

    class Meta:
        model = Item

    block = factory.SubFactory(BlockFactory)
    exercise = factory.SubFactory(ExerciseFactory, progressable=["reps", "sets", "load_kg"])
    position = factory.Sequence(int)
    side = Item.Side.EACH
    sets = 2
    reps_min = 8
    reps_max = 10


class ProgressionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressionRule

    item = factory.SubFactory(ItemFactory)
    parameter = "load_kg"
    amount = Decimal("2.5")
    every_weeks = 1
    start_week = 2


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A screening answering every flag of its condition; `positive=True` marks the first."""

    class Meta:
        model = Screening
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    condition = factory.SubFactory(ConditionFactory)
    performed_by = factory.SelfAttribute("client.therapist")

    @factory.post_generation
    def positive(self, create, extracted, **kwargs):
        if create:
            for index, flag in enumerate(self.condition.red_flags.all()):
                ScreeningAnswer.objects.create(
                    screening=self, red_flag=flag, present=bool(extracted) and index == 0
                )


class ClientUserFactory(UserFactory):
    """A client app account: a user linked to a client (pass client_profile=, or its fields as
    client_profile__therapist=... for a new one)."""

    @factory.post_generation
    def client_profile(self, create, extracted, **kwargs):
        if create:
            client = extracted or ClientFactory(**kwargs)
            client.user = self
            client.save(update_fields=["user"])


def _now():
    from django.utils import timezone

    return timezone.now()


class SessionFactory(factory.django.DjangoModelFactory):
    """A logged session of an active program's client (pass program=... to choose)."""

    class Meta:
        model = "logbook.Session"

    program = factory.SubFactory(ProgramFactory, status=Program.Status.ACTIVE)
    client = factory.SelfAttribute("program.client")
    client_uuid = factory.Faker("uuid4")
    performed_at = factory.LazyFunction(_now)


class ExerciseLogFactory(factory.django.DjangoModelFactory):
    """One side of one item done in a session; pass session= and item= of the same program."""

    class Meta:
        model = "logbook.ExerciseLog"

    session = factory.SubFactory(SessionFactory)
    item = factory.SubFactory(ItemFactory)
    exercise = factory.SelfAttribute("item.exercise")
    side = "left"
    reps = 10
    pain = 2
