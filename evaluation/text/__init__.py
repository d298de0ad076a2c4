"""What a report says, in the reader's language: plain strings built from results.

``i18n`` looks messages up in the gettext catalogues of ``locale/`` (one domain
per report, English as the source language); ``format`` writes numbers,
intervals, p-values, percentages, amounts, dates and years as the reader's
locale writes them (Babel, CLDR); ``wording`` holds the words a dataset uses for
its units, treatment and effect. The modules named after a report turn that
report's results into sentences. Nothing here renders HTML or Markdown: that is
``evaluation.report``'s job, which escapes every string it is given.
"""
