"""The names, titles and teams the demo organization is made of (all invented)."""

FIRST_NAMES = [
    "Aisha", "Alejandro", "Amara", "Andrea", "Anika", "Arjun", "Beatriz", "Ben", "Bianca",
    "Caleb", "Camille", "Carlos", "Chen", "Chloe", "Daniel", "Dario", "Diego", "Elena", "Eli",
    "Emeka", "Emma", "Farah", "Felix", "Fatima", "Gabriel", "Grace", "Hana", "Hannah", "Hugo",
    "Ibrahim", "Ines", "Isaac", "Ivy", "Jamal", "Jana", "Javier", "Jin", "Jonas", "Julia",
    "Kai", "Kavya", "Keiko", "Laila", "Lars", "Leah", "Leon", "Lucia", "Luis", "Maya", "Marco",
    "Maria", "Mateo", "Mei", "Mila", "Nadia", "Naomi", "Nikhil", "Noah", "Nora", "Olga",
    "Omar", "Oscar", "Paula", "Priya", "Rafael", "Rania", "Rosa", "Ruth", "Samir", "Sara",
    "Sofia", "Sven", "Tariq", "Tessa", "Theo", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Andersen", "Bakker", "Banerjee", "Becker", "Brennan", "Campos", "Castillo",
    "Chowdhury", "Costa", "Dubois", "Eriksen", "Ferreira", "Fischer", "Garcia", "Haddad",
    "Hansen", "Horvat", "Ibrahim", "Ito", "Jansen", "Kaur", "Keller", "Kim", "Kowalski",
    "Larsen", "Lindqvist", "Lopez", "Mbeki", "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen",
    "Novak", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Rahman", "Reyes", "Rossi",
    "Sato", "Schmidt", "Silva", "Singh", "Sorensen", "Tanaka", "Torres", "Van Dijk", "Varga",
    "Wagner", "Walsh", "Weber", "Yilmaz", "Zhang", "Zielinski",
]  # fmt: skip

LEADERS = [
    "Chief Executive Officer",
    "Chief Operating Officer",
    "Chief Financial Officer",
    "VP Sales & Customer Success",
    "VP People",
]

# Each team: its name, the title of the manager who runs it, and the titles on the team.
TEAMS = [
    ("Inbound Receiving", "Receiving Manager", ["Receiving Clerk", "Forklift Operator"]),
    ("Outbound Shipping", "Shipping Manager", ["Shipping Clerk", "Loader", "Dispatcher"]),
    ("Inventory Control", "Inventory Manager", ["Inventory Analyst", "Cycle Counter"]),
    ("Fleet Maintenance", "Fleet Manager", ["Mechanic", "Parts Coordinator"]),
    ("Line Haul Drivers", "Transport Manager", ["Truck Driver", "Driver Trainer"]),
    ("Last Mile Delivery", "Delivery Manager", ["Delivery Driver", "Route Planner"]),
    ("Customer Care", "Customer Service Manager", ["Customer Service Agent", "Team Lead"]),
    ("Key Accounts", "Account Manager", ["Account Executive", "Sales Coordinator"]),
    ("Billing & Collections", "Finance Manager", ["Billing Specialist", "Accountant"]),
    ("Procurement", "Purchasing Manager", ["Buyer", "Vendor Coordinator"]),
    ("Quality Assurance", "Quality Manager", ["Quality Inspector", "Process Auditor"]),
    ("Health & Safety", "Safety Manager", ["Safety Officer", "Trainer"]),
    ("IT Support", "IT Manager", ["Support Technician", "Systems Administrator"]),
    ("Data & Reporting", "Analytics Manager", ["Data Analyst", "BI Developer"]),
    ("Facilities", "Facilities Manager", ["Maintenance Technician", "Facilities Coordinator"]),
]
# Managers who run no team of their own.
STAFF_MANAGERS = [
    "People Operations Manager",
    "Regional Operations Manager",
    "Continuous Improvement Manager",
    "Training Manager",
    "Project Manager",
]
