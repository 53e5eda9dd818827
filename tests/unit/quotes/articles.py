"""Short articles written for the quote unit tests, keyed by the feature each shows, and a helper
that extracts the quotes of one of them once parsed (the session fixture ``docs``)."""
from __future__ import annotations

from services.quotes.extract import extract_quotes

ARTICLES = {
    "after": ("Budget talks resume",
              "The council met on Monday.\n"
              "“We will not raise taxes this year,” Mayor Laura Benson said after the vote.\n"
              "\"It is over,\" said Thomas Reed, a spokesman for the opposition."),
    "before": ("Port reopens",
               "Harbour director Michael Dunn said: “The port is open again.”\n"
               "Dunn told reporters, \"Ships can dock from tomorrow.\""),
    "between": ("Team loses",
                "Coach Robert Miles was frustrated.\n"
                "“We played badly,” Miles said. “But we will come back stronger.”"),
    "description": ("Clark visits factory",
                    "Vice President Anna Clark toured the plant on Tuesday.\n"
                    "“This is what modern industry looks like,” the vice president said.\n"
                    "“The talks have stalled,” a senior official said."),
    "pronoun": ("Bridge closed",
                "Engineers inspected the bridge. Mr. Daniel Ortiz, the city engineer, ordered it closed.\n"
                "“The cables are corroded,” he said.\n"
                "Ms. Helen Park, who lives nearby, was worried. “My children cross it every day,” she added."),
    "organisation": ("Embassy statement",
                     "Protests continued outside the embassy.\n"
                     "“The safety of our staff is our priority,” the Foreign Ministry said in a statement."),
    "partial": ("Minister criticises plan",
                "Finance Minister Peter Hall called the proposal “a recipe for disaster” on Friday."),
    "headline": ("Clark says new budget is ‘a fair deal’ for families",
                 "Vice President Anna Clark defended the budget on Sunday.\n"
                 "“I believe this is a fair deal for families,” Clark told a radio station."),
    "titles": ("Actor returns",
               "The actor appeared on the TV show “Morning Brew” and starred in \"Night Train\" in 2005.\n"
               "He also joined CBS’s “Weekend Report” as a guest.\n"
               "“I missed acting,” said Paul Grant, the actor."),
    "apostrophes": ("Economy grows",
                    "Economist Maria Lopez was upbeat.\n"
                    "“It’s the country’s best year since the ’90s,” she said. Investors' mood improved."),
    "multipara": ("Long speech",
                  "Governor Ellen Marsh spoke for an hour.\n"
                  "“We have cut waste in every department.\n"
                  "“Next year we will do even more,” Marsh said."),
    "guillemets": ("Minister speaks",
                   "«We are ready to negotiate», said Foreign Minister Jan Novak."),
    "according": ("Deal signed",
                  "The agreement covers ten years, according to Sarah Mills. "
                  "“It is a historic day,” according to Sarah Mills, the trade envoy."),
    "introduced": ("Storm hits town",
                   "Emergency crews worked through the night, fire chief Robert Hale said.\n"
                   "“We cleared the main roads by dawn,” Hale said.\n"
                   "Local teacher Maria Santos, 34, lost her roof in the storm. “I heard a crack and ran outside.”"),
    "abbreviation": ("Bank robbed",
                     "“The suspect fled on foot,” State Police Lt. Karen Wells said. “We are searching the area.”"),
    "pair": ("New hosts named",
             "“They are the ideal choice,” said producers Alan Price and Mark Stone.\n"
             "“We could not be happier,” the pair said in a statement."),
    "quoted_as": ("Singer cancels tour",
                  "The agent of singer Paul Brandt spoke to a radio station. "
                  "The station quoted him as saying “he needs a long rest.”"),
    "same_gender": ("Court ruling",
                    "Lawyer Tom Becker met the judge, Anna Kovacs, on Monday. Becker asked for a delay but she refused.\n"
                    "“The law is clear,” she said."),
    "issuer": ("Reservoir closed",
               "The reservoir was closed on Monday, according to a statement from the regional water authority. "
               "Tests found high levels of algae.\n"
               "The statement said the water would be \"safe to drink again within a week.\""),
    "issued_by": ("Council rejects plan",
                  "The plan was rejected on Monday. \"We regret that the minister chose to ignore the residents,\" "
                  "said a statement issued by the Brenton council."),
    "it_said": ("Council rejects plan",
                "The Brenton council released a statement on Monday. "
                "\"We regret that the minister chose to ignore the residents,\" it said."),
    "read_issued_by": ("Council rejects plan",
                       "\"We regret that the minister chose to ignore the residents,\" read a statement issued by "
                       "Mayor Piet Alder on Monday."),
    "letter_read": ("Council rejects plan",
                    "Mayor Piet Alder sent a letter to the minister on Friday. "
                    "\"We regret that you chose to ignore the residents,\" the letter read."),
    "paper": ("Paper warns",
              "Leftist weekly Norrbladet warned that more protests would follow.\n"
              "“Nobody in power is listening,” the paper said."),
    "titles_scare": ("Director signs",
                     "Marta Kline, who directed \"Silver Lake,\" will direct the sequel to \"Harbor Lights,\" "
                     "studio sources said. She starred in such films as \"Red Sky,\" \"Cold Water\" and \"Blue Hour.\"\n"
                     "The studio rejected a \"take it or leave it\" offer, a spokesman said. Kline earned a nomination "
                     "for \"Outstanding Directing for a Drama Series.\"\n"
                     "“I am thrilled,” Kline said, calling the script “simply wonderful.”"),
    "said_to_be": ("Singer dies",
                   "\"She changed music forever,\" said manager Peter Cole in a statement. \"She was one of a kind.\"\n"
                   "Hart, said to be the richest singer of her era, retired in 1990."),
    "new_sentence_verb": ("Rule changed",
                          "\"This rule protects nobody,\" said Laura Finch, a lawyer with a green group. "
                          "\"It will be challenged in court.\" The chamber of commerce welcomed the rule change."),
    "introduces_next": ("Rule changed",
                        "\"This rule protects nobody,\" said Laura Finch, a lawyer with a green group. "
                        "\"It will be challenged in court.\" Tom Hardy, a spokesman for the ministry, said, "
                        "\"We will review it.\""),
    "subordinate_after": ("Court fight",
                          "Prosecutor Dana White said he was \"totally surprised\" because lawyer Mark Stone "
                          "had agreed to another plan."),
    "who_clause": ("Riot",
                   "Police had to restrain an elderly woman outside the bank, who wept and cried \"help us, help us.\""),
    "group_not_antecedent": ("Crisis",
                             "\"I understand the anger,\" Paul Martin said. But Canadians must accept that without the "
                             "cuts, \"the situation would be far worse,\" he said."),
    "intro_comma": ("Wildlife rule",
                    "Andrew Price, director of the wildlife program, commented,\n"
                    "\"This rule ignores the science.\""),
    "statement_by": ("Scientists react",
                     "Here is the full statement by Maria Lind, director of the science program:\n"
                     "\"These changes undermine the law.\""),
    "statement_compound": ("Navy rescue",
                           "The navy said on Sunday that it had rescued a ship.\n"
                           "The frigate chased two boats after an alarm, a Transport Ministry statement said. "
                           "\"The boats stopped and the crew surrendered.\""),
    "indirect_before": ("Bank blast",
                        "Witness Carl Jensen lives nearby. He said the bank was evacuated at noon. "
                        "A few minutes later, \"I heard a loud bang.\""),
    "who_head_antecedent": ("Actor in rehab",
                            "\"She is doing well,\" spokesman Jack Brown said. Brown gave no details. "
                            "The news surprised producer Tom Hale, who worked with her last year. "
                            "\"She was always professional,\" he said."),
    "named_verb": ("Model dies",
                   "She posed for the magazine Starlight, which named her \"the face of the decade.\""),
    "scare_relative": ("Actress dies",
                       "Ann Lee, whose swimming led to a career of \"water-musicals\" made for her, died on Monday, "
                       "her spokesman said."),
    "scare_while": ("Rule", "While the old rule banned reviews on the basis of \"regional trends\" such as heat, "
                            "an official speaking anonymously said the new rule would allow them."),
    "scare_so_called": ("Rule reversed", "The studio will reverse the so-called \"fair share\" rule, a spokesman said."),
    "scare_billed_as": ("Old film", "The film was billed as \"the best musical you will ever see\" when it opened "
                                    "in 1950, critics said."),
    "kept_partial": ("Rule", "The official said the review would find \"a clear link\" between the project and the damage."),
    "juror_number": ("Verdict", "\"Everyone was respectful,\" said Juror No. 4, one of the women on the panel."),
    # the parser makes the bare "." of "No." the subject when the designation precedes the verb
    "juror_number_before": ("Verdict", "The panel met for four days. \"We were searching,\" Juror No. 12 said. "
                                       "An angry defendant was recorded."),
    # the parser heads these subjects with the organisation and hangs the person inside it
    "org_role_person": ("Plant closes",
                        "The plant will close in March. “The building is not safe for workers,” Oregon Bureau of "
                        "Labor and Industry deputy commissioner Harriet Quill told the Courier."),
    "role_and_role_person": ("Fame", "Pop singer and former game show host Vera Lund told reporters: "
                                     "\"I want no more fame.\""),
    "lawyer_for_person": ("Fame", "\"We are calm,\" the lawyer for singer Vera Lund said."),
    "org_not_person": ("Strike", "“We are sad,” the family of Mara Quill said."),
    # an inserted clause with its own indirect speech sits between the speaker and the quote
    "inserted_indirect": ("Roof", "Officials met on Friday. Inspector Paul Garner told the Gazette after a meeting "
                                  "— where the owner’s lawyer Jonah Pike said the site was safe — "
                                  "“The roof could fall at any moment.”"),
    "who_mangled_name": ("Border", "We hope he was speaking on the same wavelength as Governor Lee Sang-in, who said he "
                                   "hoped the visit would be a turning point and that the two sides had agreed to "
                                   "settle the border question \"in a calm manner\"."),
    "closing_inversion": ("Vote", "The vote was close. The likely outcome will be \"a long delay\" for residents, "
                                  "argued the Harbor Users Association."),
    "mute_subject": ("Dredging", "A harbor official speaking on the condition of anonymity said that under the new "
                                 "rule, a review would follow only if field data suggested \"a clear link\" between "
                                 "the dredging and the damage."),
    "in_a_statement": ("Clinic", "Singer Mila Dorne finally went to a clinic on Friday. In a statement from her agents, "
                                 "it was confirmed, \"She has entered the Greenway Clinic.\" The clinic is small."),
    "in_a_letter": ("Rent", "In a letter by the Riverside Tenants Union, it was made clear: \"We will not pay.\""),
    "mute_clause": ("Spill", "In Lisbon, harbor officials desperately tried to calm public fears that the oil spill "
                             "was spreading to the rest of the coast, insisting it was a \"contained event\" caused "
                             "by one ship."),
    "acronym": ("Lawsuit", "The Coastal Birds Protection League sued the city on Monday. "
                           "“We will appeal the ruling,” the CBPL said."),
}


def quotes(docs, key):
    """The quotes extracted from the parsed article ``key`` (see the ``docs`` fixture)."""
    title, body = docs[key]
    return extract_quotes(body, title)
