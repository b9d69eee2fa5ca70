"""The words of a sample authority: names, and what people write in its records.

Sentences are written as a practitioner would (strength-based, about a named child); `{name}`
is the child's first name, `{carer}` a carer's. Lengths vary as they do in real records.
"""

FIRST_NAMES = [
    "Aaliyah", "Abdul", "Adam", "Aiden", "Aisha", "Alex", "Alfie", "Amara", "Amelia", "Amir",
    "Ana", "Archie", "Ava", "Ayesha", "Bethany", "Billy", "Caitlin", "Callum", "Charlie",
    "Chloe", "Connor", "Daisy", "Daniel", "Darius", "Declan", "Dylan", "Eden", "Eleanor",
    "Eliza", "Ellie", "Emily", "Erin", "Ethan", "Evie", "Faith", "Finley", "Freya", "Gabriel",
    "Georgia", "Grace", "Hannah", "Harley", "Harper", "Harrison", "Harvey", "Hassan", "Ibrahim",
    "Imani", "Isaac", "Isla", "Jack", "Jacob", "Jade", "Jamal", "Jayden", "Jessica", "Joel",
    "Jordan", "Joseph", "Kai", "Kayden", "Keira", "Kian", "Kyle", "Lacey", "Layla", "Leah",
    "Leo", "Lewis", "Liam", "Lily", "Logan", "Lola", "Louis", "Lucas", "Lucy", "Luke", "Maisie",
    "Malik", "Maya", "Megan", "Mia", "Millie", "Mohammed", "Molly", "Morgan", "Nathan", "Nia",
    "Noah", "Oliver", "Olivia", "Oscar", "Paige", "Phoebe", "Poppy", "Reece", "Riley", "Rosie",
    "Ruby", "Ryan", "Samuel", "Sara", "Scarlett", "Sienna", "Sofia", "Summer", "Tayla", "Theo",
    "Tia", "Toby", "Tyler", "Violet", "Willow", "Yusuf", "Zach", "Zara", "Zoe",
]
ADULT_FIRST_NAMES = [
    "Aileen", "Alan", "Alison", "Amanda", "Andrew", "Angela", "Anil", "Barbara", "Brian",
    "Carol", "Caroline", "Catherine", "Chris", "Claire", "Colin", "Dave", "Dawn", "Deborah",
    "Denise", "Donna", "Elaine", "Fatima", "Fiona", "Gareth", "Gary", "Gemma", "Graham",
    "Hayley", "Helen", "Ian", "Jackie", "Jane", "Janet", "Jason", "Jennifer", "Joanne", "John",
    "Julie", "Karen", "Kate", "Kelly", "Kevin", "Lesley", "Linda", "Lisa", "Louise", "Mandy",
    "Mark", "Martin", "Michelle", "Nadia", "Neil", "Nicola", "Nigel", "Pam", "Paul", "Priya",
    "Rachel", "Rajesh", "Rebecca", "Richard", "Rob", "Sadia", "Sally", "Samantha", "Sandra",
    "Sarah", "Sharon", "Simon", "Sonia", "Stephen", "Steve", "Susan", "Tariq", "Tracey", "Vicky",
    "Wendy", "Yvonne",
]
SURNAMES = [
    "Ahmed", "Ali", "Allen", "Anderson", "Armstrong", "Atkinson", "Bailey", "Baker", "Barker",
    "Begum", "Bell", "Bennett", "Bibi", "Brown", "Butler", "Campbell", "Carter", "Chapman",
    "Clarke", "Collins", "Cook", "Cooper", "Cox", "Davies", "Dawson", "Dixon", "Edwards",
    "Ellis", "Evans", "Fletcher", "Fox", "Gibson", "Graham", "Gray", "Green", "Griffiths",
    "Hall", "Harris", "Harrison", "Hill", "Holmes", "Hughes", "Hunt", "Hussain", "Jackson",
    "James", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "King", "Knight", "Lee", "Lewis",
    "Lloyd", "Marshall", "Martin", "Mason", "Matthews", "Mills", "Mitchell", "Moore", "Morgan",
    "Morris", "Murphy", "Murray", "Nowak", "O'Brien", "Owen", "Palmer", "Parker", "Patel",
    "Pearson", "Phillips", "Powell", "Price", "Rahman", "Reid", "Richards", "Richardson",
    "Roberts", "Robinson", "Rogers", "Russell", "Scott", "Shaw", "Simpson", "Singh", "Smith",
    "Stevens", "Stewart", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson",
    "Webb", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
]
# Team and venue names: the towns of the localities.
TOWNS = ["Macclesfield", "Crewe", "Congleton", "Nantwich", "Wilmslow", "Sandbach", "Knutsford",
         "Middlewich", "Alsager", "Poynton", "Northwich", "Winsford", "Frodsham", "Neston"]
LOCALITY_NAMES = ["North", "South", "East", "West", "Central", "Mid"]
VENUES = ["Macclesfield Town Hall", "Delamere House", "Westfields, Sandbach", "Wyvern House",
          "The Municipal Buildings, Crewe", "Knutsford Library meeting room"]
ROOMS = ["Meeting room 2, {venue}", "Room 4, {venue}", "Family room, {venue}",
         "The carers' home", "Online (Teams)", "School meeting room", "Meeting room 1, {venue}",
         "Contact centre, {venue}"]

WORRIED = [
    "{name} has been going missing overnight at weekends and will not say where.",
    "Arguments between {name} and {carer} about phone use late at night are escalating.",
    "{name} has stopped going to school on Mondays and Fridays since half term.",
    "{carer} says they are exhausted and not sleeping because of the night-time waking.",
    "{name} was excluded for two days after a fight at lunchtime.",
    "Contact with birth mum was cancelled twice and {name} was very upset afterwards.",
    "There are worries about older young people {name} has been meeting in the park.",
    "{name} damaged the bedroom door and a window after contact on Saturday.",
    "{carer} has given verbal notice and feels nobody has listened to them.",
    "{name} is self-harming again and has not wanted to see the CAMHS worker.",
    "The other child in the home is frightened when {name} shouts.",
    "{name} has been found with vapes and money nobody can account for.",
    "Respite has not happened since the summer, so the carers have had no break.",
    "{name} says they do not feel part of the family at mealtimes.",
    "The school transport keeps changing and {name} arrives late and dysregulated.",
    "Nobody has explained the plan for contact with brothers and sisters to {name}.",
]
WORKING_WELL = [
    "{name} and {carer} bake together on Sundays and {name} talks about it with pride.",
    "{name} has a good relationship with the form tutor and goes to homework club.",
    "{carer} stays calm and uses the strategies from the training course.",
    "{name} has joined the local football team and has not missed a training session.",
    "Bedtimes are better since the new routine and {name} is sleeping through most nights.",
    "{name} says {carer} is the first person who has really listened to them.",
    "Contact with grandma every other Saturday goes well and {name} looks forward to it.",
    "The supervising social worker visits every two weeks and the carers value it.",
    "{name} is on track in English and maths and enjoys art.",
    "{name} has made two friends at school and has been to a birthday party.",
    "The family include {name} in holidays and celebrations.",
    "{name} tells {carer} when they are worried rather than walking out.",
    "CAMHS sessions have started and {name} has attended three in a row.",
    "{name} is helping with the family dog and walks it every evening.",
]
NEEDS_TO_HAPPEN = [
    "Book respite for one weekend a month so the carers get a break.",
    "Agree a clear missing-from-care plan with the police and share it with the carers.",
    "Arrange a meeting with school about a reduced timetable and a key adult.",
    "Refer {name} to CAMHS again and ask for a consultation for {carer}.",
    "Social worker to visit {name} on their own and explain the contact plan.",
    "Set up a phone agreement with {name}, written with them and signed by everyone.",
    "Supervising social worker to increase visits to weekly for the next six weeks.",
    "Find an activity {name} chooses for Saturday mornings and fund it.",
    "Arrange therapeutic parenting training for the carers this term.",
    "Review contact arrangements with birth family before the next LAC review.",
    "Ask the virtual school for tutoring and a personal education plan meeting.",
    "Placement support worker to do two evening sessions a week with {name}.",
]
LEARNING = [
    "We needed to act on the carers' request for support sooner than we did.",
    "The warning signs were there in the monitoring calls for three weeks.",
    "{name}'s views were not heard early enough in planning.",
    "Matching did not take account of the other children in the home.",
    "Information from the previous placement was not shared with the carers.",
    "Respite was agreed but never booked, and nobody owned it.",
]
PANEL_WORRIES = [
    "We are worried that without help the family will not manage the school run and the "
    "children will miss more school.",
    "We are worried that the parents' arguments will continue in front of the children.",
    "We are worried that mum's low mood means the children are caring for her.",
    "We are worried the family will lose their tenancy because of rent arrears.",
]
PANEL_GOALS = [
    "The children will be in school every day and on time.",
    "Mum will have support for her mental health from her GP and a peer group.",
    "The family will have a safety plan they wrote themselves and use it.",
    "The children will tell us they feel safe at home.",
]
PANEL_RECOMMENDATIONS = [
    "Step up to a child in need plan with a named social worker.",
    "Early help worker to lead, with a team around the family meeting within two weeks.",
    "Step down to early help with the school's family support worker as lead person.",
    "Refer to the family support service for six weeks of parenting work.",
]
COLUMN_WORDS = {
    "worried": WORRIED, "stress_factors": WORRIED, "worries": PANEL_WORRIES,
    "working_well": WORKING_WELL, "strengths": WORKING_WELL, "wellbeing_goals": PANEL_GOALS,
    "needs_to_happen": NEEDS_TO_HAPPEN, "solutions": NEEDS_TO_HAPPEN,
    "recommendations": PANEL_RECOMMENDATIONS, "learning": LEARNING,
}
SCORE_REASONS = [
    "Things have settled since the new routine started and {name} seems happier.",
    "The carers are committed but tired, and the weekends are still very hard.",
    "School is going better but the missing episodes worry me a great deal.",
    "I think we are in a better place than a month ago, with more support in place.",
    "{name} told me they want to stay and that is what matters most to me.",
    "Without respite I do not know how long we can keep going like this.",
    "There has been no incident for three weeks, which is real progress.",
    "The relationship is strong, but contact still unsettles everything for days.",
    "I want to stay here and I like my room.",
    "It is hard at the moment but we love having {name} with us.",
]
ACTIONS = [
    "Book a respite weekend with the link carers and confirm dates with {carer}.",
    "Refer {name} to CAMHS and share the referral with the carers.",
    "Arrange a personal education plan meeting with the virtual school.",
    "Write a missing-from-care protocol with the police and the carers.",
    "Visit {name} on their own and talk through the contact plan.",
    "Fund swimming lessons for {name} on Saturday mornings.",
    "Arrange therapeutic parenting training for {carer}.",
    "Increase supervising social worker visits to weekly for six weeks.",
    "Ask school for a key adult and a quiet space at lunchtime.",
    "Review the contact arrangements with the birth family.",
    "Set up a phone agreement with {name} and the carers.",
    "Placement support worker to do two evening sessions a week.",
    "Share the safety plan with the out-of-hours team.",
    "Apply for a bus pass so {name} can get to college independently.",
]
ACTION_NOTES = {
    "done": ["Done and confirmed with the carers.", "Completed; the first session went well.",
             "Booked and it happened.", "Done. Letter on file."],
    "not_done": ["Not done: the service has a waiting list; re-referred.",
                 "Not done: {name} did not want it.", "Not done: funding was refused."],
}
CHILD_VIEWS = [
    "I like living here and I want to stay. I do not like it when people shout.",
    "{name} said they miss their brother and want to see him more often.",
    "I want my phone back at night. I am not a baby.",
    "{name} drew a picture of the family with the dog in the middle.",
    "I like school when I am with my friends. Maths is boring.",
    "{name} was quiet but nodded when asked if they feel safe here.",
]
AGENCIES = ["School", "CAMHS", "Placement support team", "Virtual school", "Youth service",
            "Health (children in care nurse)", "The carers", "Fostering team"]
OFFERS = [
    "Weekly mentoring sessions and a key adult at lunchtime.",
    "A consultation for the carers within two weeks and an assessment for {name}.",
    "Two evening sessions a week for six weeks.",
    "Tutoring in maths funded from the pupil premium plus.",
    "A health assessment and a referral to the school nurse drop-in.",
    "We will keep going and ask for help earlier.",
]
RATIONALES = [
    "Everyone agreed the placement can continue with the support above in place.",
    "The carers want to continue; the actions address the pressures they described.",
    "A planned move is in {name}'s interest; the carers will support the transition.",
    "The placement has ended; the meeting agreed what {name} needs from the next home.",
]
CONCERNS = [
    "{carer} rang to say {name} has been missing three nights this week and they cannot cope.",
    "School report {name} has been aggressive to staff and the carers want help now.",
    "{carer} has asked for {name} to be moved after a serious row at the weekend.",
    "{name} says they are unhappy and want to go back to their previous carers.",
    "The carers are struggling with {name}'s behaviour after contact.",
    "Concern about {name} being exploited by older young people in the town centre.",
    "{carer} is unwell and not sure they can carry on caring for {name}.",
    "Escalating arguments at home; police were called on Friday night.",
]
RELATIONSHIPS = ["Foster carer", "Foster carer", "Supervising social worker",
                 "Child's social worker", "School designated teacher", "Residential key worker",
                 "Kinship carer"]
CALL_NOTES = [
    "Spoke to {carer}. A calmer week; school attendance full.",
    "Spoke to {carer}. One difficult evening but managed with the plan.",
    "No answer; left a message and called back the next day.",
    "{carer} reports {name} went missing for a night; police informed.",
    "Things are settled. Respite booked for the half term.",
    "{carer} says it has been a hard week and they need more support.",
    "Good week. {name} enjoyed the football tournament.",
]
END_REASONS = ["The placement is stable: monitoring complete.",
               "Monitoring ended after the review meeting.",
               "The child moved placement in a planned way."]
PLACEMENTS = ["Foster carers {surname} ({agency})", "Kinship carers {surname}",
              "{town} children's home", "Supported lodgings, {town}",
              "Foster carers {surname} (in-house)"]
FOSTER_AGENCIES = ["in-house", "Independent fostering agency", "Foster Care Partners",
                   "Northern Families"]
MOVE_REASONS = [
    "A planned move to a long-term match agreed at the Placement Stability Meeting.",
    "The placement broke down after a serious incident; an emergency move that day.",
    "Moved to be nearer school and brothers and sisters.",
    "Carers gave 28 days' notice; a planned move.",
    "Moved to kinship carers after a positive assessment.",
]
EXTENSION_REASONS = ["The carers had more to say.", "The young person wanted to add something.",
                     "We needed time to agree the actions."]
DISAGREEMENTS = ["The family support worker thinks step down is too soon.",
                 "School disagree: they want the case to stay open to social care."]
PANEL_RATIONALES = ["Criteria met; the family agree.", "Papers incomplete; bring back next time.",
                    "Needs are met at early help; a lead person is identified."]
