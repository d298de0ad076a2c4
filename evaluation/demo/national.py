"""The national administration the demo entities are drawn from: real sectors, real names.

Colombia's national executive is organised in 24 administrative sectors, each
headed by a ministry or an administrative department ("cabeza de sector") with
agencies attached to it (adscritas or vinculadas). The names below are the
entities' current official names (2024); Deporte and Ciencia were
administrative departments (Coldeportes, Colciencias) until 2019. Only the
names and the sector structure are real: every number the demo attaches to
these entities is synthetic.

``SPECIAL_REGIME`` marks entities that in FURAG answer only some policies
(state companies, mixed companies, autonomous universities): the demo leaves
their Seguridad Digital index (POL08) blank.
"""

from __future__ import annotations

#: (sector, head of sector, attached entities), in the order the demo numbers them.
SECTORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Presidencia de la República", "Departamento Administrativo de la Presidencia de la República", (
        "Agencia Presidencial de Cooperación Internacional de Colombia",
        "Agencia para la Reincorporación y la Normalización",
        "Agencia Nacional Inmobiliaria Virgilio Barco Vargas",
        "Unidad Nacional para la Gestión del Riesgo de Desastres",
        "Agencia de Renovación del Territorio",
    )),
    ("Interior", "Ministerio del Interior", (
        "Unidad Nacional de Protección",
        "Dirección Nacional de Derecho de Autor",
        "Corporación Nacional para la Reconstrucción de la Cuenca del Río Páez y Zonas Aledañas Nasa Kiwe",
        "Imprenta Nacional de Colombia",
    )),
    ("Relaciones Exteriores", "Ministerio de Relaciones Exteriores", (
        "Unidad Administrativa Especial Migración Colombia",
        "Fondo Rotatorio del Ministerio de Relaciones Exteriores",
    )),
    ("Hacienda y Crédito Público", "Ministerio de Hacienda y Crédito Público", (
        "Dirección de Impuestos y Aduanas Nacionales",
        "Superintendencia Financiera de Colombia",
        "Superintendencia de la Economía Solidaria",
        "Unidad de Gestión Pensional y Parafiscales",
        "Contaduría General de la Nación",
        "Unidad de Información y Análisis Financiero",
        "Unidad de Proyección Normativa y Estudios de Regulación Financiera",
        "Fondo de Garantías de Instituciones Financieras",
        "Fondo de Garantías de Entidades Cooperativas",
        "Empresa Industrial y Comercial del Estado Administradora del Monopolio Rentístico de los Juegos de Suerte y Azar Coljuegos",
        "Fiduciaria La Previsora S.A.",
        "Central de Inversiones S.A.",
        "La Previsora S.A. Compañía de Seguros",
        "Positiva Compañía de Seguros S.A.",
        "Financiera de Desarrollo Territorial S.A. Findeter",
        "Banco Agrario de Colombia S.A.",
    )),
    ("Justicia y del Derecho", "Ministerio de Justicia y del Derecho", (
        "Instituto Nacional Penitenciario y Carcelario",
        "Unidad de Servicios Penitenciarios y Carcelarios",
        "Agencia Nacional de Defensa Jurídica del Estado",
        "Superintendencia de Notariado y Registro",
    )),
    ("Defensa Nacional", "Ministerio de Defensa Nacional", (
        "Policía Nacional de Colombia",
        "Comando General de las Fuerzas Militares",
        "Ejército Nacional de Colombia",
        "Armada de Colombia",
        "Fuerza Aeroespacial Colombiana",
        "Agencia Logística de las Fuerzas Militares",
        "Defensa Civil Colombiana",
        "Superintendencia de Vigilancia y Seguridad Privada",
        "Caja de Retiro de las Fuerzas Militares",
        "Caja de Sueldos de Retiro de la Policía Nacional",
        "Hospital Militar Central",
        "Instituto de Casas Fiscales del Ejército",
        "Fondo Rotatorio de la Policía",
        "Club Militar",
        "Universidad Militar Nueva Granada",
        "Servicio Aéreo a Territorios Nacionales S.A. Satena",
        "Industria Militar Indumil",
        "Corporación de la Industria Aeronáutica Colombiana",
    )),
    ("Agricultura y Desarrollo Rural", "Ministerio de Agricultura y Desarrollo Rural", (
        "Instituto Colombiano Agropecuario",
        "Autoridad Nacional de Acuicultura y Pesca",
        "Agencia Nacional de Tierras",
        "Agencia de Desarrollo Rural",
        "Unidad de Planificación Rural Agropecuaria",
        "Unidad Administrativa Especial de Gestión de Restitución de Tierras Despojadas",
        "Fondo para el Financiamiento del Sector Agropecuario Finagro",
    )),
    ("Salud y Protección Social", "Ministerio de Salud y Protección Social", (
        "Superintendencia Nacional de Salud",
        "Instituto Nacional de Vigilancia de Medicamentos y Alimentos",
        "Instituto Nacional de Salud",
        "Instituto Nacional de Cancerología",
        "Administradora de los Recursos del Sistema General de Seguridad Social en Salud",
        "Sanatorio de Agua de Dios",
        "Sanatorio de Contratación",
        "Centro Dermatológico Federico Lleras Acosta",
        "Fondo de Pasivo Social de Ferrocarriles Nacionales de Colombia",
    )),
    ("Trabajo", "Ministerio del Trabajo", (
        "Servicio Nacional de Aprendizaje",
        "Unidad Administrativa Especial del Servicio Público de Empleo",
        "Unidad Administrativa Especial de Organizaciones Solidarias",
        "Superintendencia del Subsidio Familiar",
        "Administradora Colombiana de Pensiones Colpensiones",
    )),
    ("Minas y Energía", "Ministerio de Minas y Energía", (
        "Agencia Nacional de Hidrocarburos",
        "Agencia Nacional de Minería",
        "Unidad de Planeación Minero Energética",
        "Instituto de Planificación y Promoción de Soluciones Energéticas para las Zonas No Interconectadas",
        "Servicio Geológico Colombiano",
        "Comisión de Regulación de Energía y Gas",
    )),
    ("Comercio, Industria y Turismo", "Ministerio de Comercio, Industria y Turismo", (
        "Superintendencia de Industria y Comercio",
        "Superintendencia de Sociedades",
        "Instituto Nacional de Metrología",
        "Junta Central de Contadores",
        "Banco de Comercio Exterior de Colombia S.A. Bancóldex",
        "Artesanías de Colombia S.A.",
    )),
    ("Educación Nacional", "Ministerio de Educación Nacional", (
        "Instituto Colombiano para la Evaluación de la Educación",
        "Instituto Colombiano de Crédito Educativo y Estudios Técnicos en el Exterior",
        "Instituto Nacional para Ciegos",
        "Instituto Nacional para Sordos",
        "Escuela Tecnológica Instituto Técnico Central",
        "Colegio Mayor de Antioquia",
        "Colegio Mayor de Bolívar",
        "Colegio Mayor del Cauca",
        "Instituto Técnico Nacional de Comercio Simón Rodríguez",
        "Instituto Tolimense de Formación Técnica Profesional",
        "Instituto Nacional de Formación Técnica Profesional de San Andrés y Providencia",
        "Universidad Nacional de Colombia",
        "Universidad Pedagógica Nacional",
        "Universidad Nacional Abierta y a Distancia",
        "Universidad Pedagógica y Tecnológica de Colombia",
        "Universidad del Cauca",
        "Universidad Tecnológica del Chocó Diego Luis Córdoba",
    )),
    ("Ambiente y Desarrollo Sostenible", "Ministerio de Ambiente y Desarrollo Sostenible", (
        "Autoridad Nacional de Licencias Ambientales",
        "Parques Nacionales Naturales de Colombia",
        "Instituto de Hidrología, Meteorología y Estudios Ambientales",
        "Instituto de Investigaciones Marinas y Costeras José Benito Vives de Andréis",
    )),
    ("Vivienda, Ciudad y Territorio", "Ministerio de Vivienda, Ciudad y Territorio", (
        "Fondo Nacional de Vivienda",
        "Comisión de Regulación de Agua Potable y Saneamiento Básico",
        "Fondo Nacional del Ahorro Carlos Lleras Restrepo",
    )),
    ("Tecnologías de la Información y las Comunicaciones",
     "Ministerio de Tecnologías de la Información y las Comunicaciones", (
        "Agencia Nacional del Espectro",
        "Comisión de Regulación de Comunicaciones",
        "Fondo Único de Tecnologías de la Información y las Comunicaciones",
        "Servicios Postales Nacionales S.A.S. 4-72",
        "Radio Televisión Nacional de Colombia RTVC",
    )),
    ("Transporte", "Ministerio de Transporte", (
        "Agencia Nacional de Infraestructura",
        "Instituto Nacional de Vías",
        "Unidad Administrativa Especial de Aeronáutica Civil",
        "Superintendencia de Transporte",
        "Agencia Nacional de Seguridad Vial",
        "Corporación Autónoma Regional del Río Grande de la Magdalena",
    )),
    ("Cultura", "Ministerio de las Culturas, las Artes y los Saberes", (
        "Archivo General de la Nación Jorge Palacios Preciado",
        "Instituto Caro y Cuervo",
        "Instituto Colombiano de Antropología e Historia",
    )),
    ("Deporte", "Ministerio del Deporte", ()),
    ("Ciencia, Tecnología e Innovación", "Ministerio de Ciencia, Tecnología e Innovación", ()),
    ("Planeación", "Departamento Nacional de Planeación", (
        "Superintendencia de Servicios Públicos Domiciliarios",
        "Agencia Nacional de Contratación Pública Colombia Compra Eficiente",
        "Empresa Nacional Promotora del Desarrollo Territorial Enterritorio",
    )),
    ("Función Pública", "Departamento Administrativo de la Función Pública", (
        "Escuela Superior de Administración Pública",
    )),
    ("Información Estadística", "Departamento Administrativo Nacional de Estadística", (
        "Instituto Geográfico Agustín Codazzi",
        "Fondo Rotatorio del Departamento Administrativo Nacional de Estadística",
    )),
    ("Inclusión Social y Reconciliación", "Departamento Administrativo para la Prosperidad Social", (
        "Instituto Colombiano de Bienestar Familiar",
        "Unidad para la Atención y Reparación Integral a las Víctimas",
        "Centro Nacional de Memoria Histórica",
    )),
    ("Inteligencia Estratégica y Contrainteligencia", "Dirección Nacional de Inteligencia", ()),
)

#: Entities that report only some FURAG policies (state and mixed companies, autonomous universities).
SPECIAL_REGIME: frozenset[str] = frozenset({
    "Imprenta Nacional de Colombia",
    "Empresa Industrial y Comercial del Estado Administradora del Monopolio Rentístico de los Juegos de Suerte y Azar Coljuegos",
    "Fiduciaria La Previsora S.A.",
    "Central de Inversiones S.A.",
    "La Previsora S.A. Compañía de Seguros",
    "Positiva Compañía de Seguros S.A.",
    "Financiera de Desarrollo Territorial S.A. Findeter",
    "Banco Agrario de Colombia S.A.",
    "Universidad Militar Nueva Granada",
    "Servicio Aéreo a Territorios Nacionales S.A. Satena",
    "Industria Militar Indumil",
    "Corporación de la Industria Aeronáutica Colombiana",
    "Fondo para el Financiamiento del Sector Agropecuario Finagro",
    "Banco de Comercio Exterior de Colombia S.A. Bancóldex",
    "Artesanías de Colombia S.A.",
    "Universidad Nacional de Colombia",
    "Universidad Pedagógica Nacional",
    "Universidad Nacional Abierta y a Distancia",
    "Universidad Pedagógica y Tecnológica de Colombia",
    "Universidad del Cauca",
    "Universidad Tecnológica del Chocó Diego Luis Córdoba",
    "Fondo Nacional del Ahorro Carlos Lleras Restrepo",
    "Servicios Postales Nacionales S.A.S. 4-72",
    "Radio Televisión Nacional de Colombia RTVC",
    "Empresa Nacional Promotora del Desarrollo Territorial Enterritorio",
})
