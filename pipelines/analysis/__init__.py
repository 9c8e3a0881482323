"""What analysts read: queries over the published warehouse (queries), labels and units
(labels), Altair charts (charts), and every chart exported as PNG and HTML (export).
`pipelines.charts` gathers them in one namespace for the notebooks."""
