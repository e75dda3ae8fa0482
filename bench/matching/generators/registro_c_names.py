"""Name tables of generator C (families' forms, prison and migration entry books).

Written apart from generator B's tables, from the same kind of public facts but
another cut of them (details and caveats in README.md):

* Surnames: percentage of Mexicans carrying each of the 60 most frequent
  paternal surnames (rank order as in INEGI/RENAPO-based published rankings and
  Forebears; percentages rounded and approximate); after rank 60 a power law
  (share ∝ rank^-1.1) over two further lists (frequent, then rarer Spanish
  surnames); compound surnames (Ponce de León, Montes de Oca, Díaz de León);
  and surnames of Mexico's immigrant communities: Mennonite (Chihuahua,
  Campeche), Lebanese, Chinese (Sinaloa, Baja California), Italian, French and
  German. The share the lists leave over (about 12 %) is spread evenly over
  the rarer lists: C's tail is shallower than the country's (fewer distinct
  surnames, each shared by more people), as in the regional populations of
  its prisons.
* Given names: the most frequent first names of the whole population (INEGI),
  with María and José as first names of compound names modelled on their own
  (about a quarter of women and a tenth of men carry them), and the names that
  dominate in indigenous communities of Chiapas and Oaxaca (Petrona, Micaela,
  Catarina, Mariano, Sebastián, Pascual).
* Diminutives (-ito, -ita) and hipocorísticos: Mexican usage.
* Migrants: Central America (Honduras, Guatemala, El Salvador), Haiti,
  Venezuela, Cuba, Colombia and Ecuador, West and Central Africa (Cameroon,
  Senegal, Guinea), South Asia, as seen in INM statistics of detained foreigners.
"""

from __future__ import annotations


def _pairs(text: str) -> list[tuple[str, float]]:
    out = []
    for item in text.replace("\n", ";").split(";"):
        if item.strip():
            name, share = item.strip().rsplit(" ", 1)
            out.append((name, float(share)))
    return out


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]


# Percent of the population with this paternal surname (approximate).
TOP_SURNAMES = _pairs("""
Hernández 4.3; García 3.3; Martínez 3.1; López 2.8; González 2.6; Pérez 2.0; Rodríguez 2.0
Sánchez 1.8; Ramírez 1.8; Cruz 1.4; Flores 1.3; Gómez 1.2; Morales 1.0; Vázquez 0.95
Jiménez 0.9; Reyes 0.9; Díaz 0.85; Torres 0.85; Gutiérrez 0.8; Ruiz 0.78; Aguilar 0.75
Mendoza 0.74; Ortiz 0.7; Castillo 0.66; Moreno 0.65; Juárez 0.6; Romero 0.6; Álvarez 0.58
Méndez 0.57; Chávez 0.56; Rivera 0.55; Ramos 0.52; Domínguez 0.5; Herrera 0.5; Medina 0.49
Castro 0.48; Vargas 0.47; Guzmán 0.45; Velázquez 0.44; Muñoz 0.43; Rojas 0.42; Salazar 0.41
De la Cruz 0.4; Contreras 0.39; Luna 0.38; Ortega 0.38; Santiago 0.37; Guerrero 0.36
Estrada 0.35; Bautista 0.34; Cortés 0.34; Soto 0.33; Alvarado 0.32; Espinosa 0.31; Lara 0.31
Ávila 0.3; Ríos 0.3; Cervantes 0.29; Silva 0.29; Delgado 0.28
""")
# After rank 60, in rough rank order.
MORE_SURNAMES = _words("""
Vega, Márquez, Sandoval, Carrillo, León, Mejía, Solís, Núñez, Rosas, Valdez, Ibarra, Campos,
Santos, Navarro, Camacho, Peña, Maldonado, Rosales, Acosta, Miranda, Trejo, Valencia, Nava,
Pacheco, Padilla, Molina, Cabrera, Robles, Fuentes, Zúñiga, Aguirre, Ayala, Orozco, Escobar,
Montes, Mora, Benítez, Ponce, Arellano, Olvera, Tapia, Zamora, Galván, Velasco, Rubio, Sosa,
Ochoa, Meza, Lozano, Pineda, Figueroa, Osorio, Serrano, Esquivel, Beltrán, Lugo, Montoya,
Cuevas, Palacios, Calderón, Arroyo, Trujillo, Valenzuela, Corona, Villa, Galindo, Nieto,
Garza, Rivas, Caballero, Macías, Villarreal, Quiroz, Hurtado, Leyva, Bonilla, Carmona, Mata,
Vidal, Zepeda, Magaña, Toledo, Gil, Carbajal, Guevara, Solano, Zárate, Rocha, Mercado, Ocampo,
Barajas, Prieto, Palma, Arriaga, Aranda, Elizondo, Murillo, Becerra, Aquino, Villalobos,
Gallardo, Peralta, Montiel, Escamilla, Valadez, Santana, Quezada, Anaya, Ojeda, Soriano,
Gamboa, Castañeda, Mondragón, Sotelo, Zapata, Hinojosa, Paz, Coronado, Segura, Carranza,
Parra, Lira, Pantoja, Arreola, Quintana, Cedillo, Dávila, Alfaro, Saucedo, Tamayo, Enríquez,
Angulo, Valle, Ulloa, Navarrete, Mojica, Islas, Briseño, Félix, Bojórquez, Gastélum, Holguín,
Terrazas, Ontiveros, Amaya, Lerma, Moctezuma, Nájera, Yáñez, Olguín, Treviño, Cantú, Leal,
Medrano, Saldívar, Huerta, Vera, Franco, Meléndez, Cárdenas, Salinas, Espinoza, Tovar, Pulido,
Bernal, Hidalgo, Rangel, Cisneros, Salas, Sierra, Andrade, Uribe, Villegas, Bravo, Barrera,
Cano, Marín, Arias, Duarte, Zavala, Téllez, Olivares, Rentería, Villanueva, Rincón, Tinoco,
Jaramillo, Benavides, Báez, Avendaño, Matías, Morán, Lucero, Bañuelos, Tejeda, Ventura,
Espino, Salgado, Cornejo, Rosado, Varela, Zavaleta, Robledo, Manríquez, Ceja, Alcaraz
""")
# Rarer Spanish surnames, continuing the power law after MORE_SURNAMES.
RARER_SURNAMES = _words("""
Abascal, Abreu, Acevedo, Acuña, Adame, Agüero, Alarcón, Alatorre, Alba, Albarrán, Alcalá,
Alcocer, Aldana, Alderete, Alemán, Almanza, Almazán, Almeida, Altamirano, Amador, Amezcua,
Anguiano, Aparicio, Apodaca, Aragón, Arámbula, Arana, Araiza, Arce, Archundia, Arenas,
Arévalo, Arizmendi, Armas, Arredondo, Arteaga, Arzate, Avilés, Ayón, Badillo, Baeza,
Balderas, Ballesteros, Bárcenas, Barba, Barreto, Barrón, Bastida, Becerril, Bejarano,
Belmonte, Benavente, Berrones, Betancourt, Bocanegra, Borrego, Bribiesca, Buendía, Bueno,
Burgos, Bustamante, Cabañas, Calvillo, Candelas, Cárcamo, Carreón, Casarrubias, Casillas,
Castellanos, Castelán, Catalán, Cázares, Cejudo, Centeno, Cerda, Chacón, Chaires, Cid,
Cienfuegos, Cobos, Colín, Collado, Córdova, Corral, Cosío, Covarrubias, Crespo, Cuadros,
Dávalos, De Anda, De la Garza, De la Rosa, De la Torre, De León, Del Río, Del Toro,
Echeverría, Escalante, Escalera, Escobedo, Espíndola, Esparza, Estévez, Fierro, Frausto,
Frías, Gallo, Gámez, Garibay, Garrido, Godoy, Góngora, Grijalva, Guardado, Guerra, Haro,
Hermosillo, Higuera, Huizar, Iñiguez, Irigoyen, Izquierdo, Jáuregui, Jasso, Labastida,
Lagunas, Landa, Lazcano, Limón, Linares, Llamas, Loaiza, Lomelí, Loredo, Lozoya, Lucio,
Madrigal, Manjarrez, Mancilla, Manzanares, Marroquín, Mascareño, Mayorga, Medellín, Melgar,
Mendívil, Mendiola, Millán, Miramontes, Montalvo, Montemayor, Monterrubio, Mota, Moya,
Mosqueda, Munguía, Noriega, Novoa, Ocegueda, Olea, Olivas, Oliva, Orduña, Orta, Osuna, Otero,
Padrón, Palomino, Pasillas, Patiño, Pedroza, Peláez, Perales, Pizano, Plascencia, Preciado,
Puente, Quevedo, Quijano, Rebollar, Recio, Reza, Rico, Rivero, Rodarte, Romo, Roque, Ruelas,
Saavedra, Salcedo, Samaniego, Sáenz, Sarabia, Segovia, Serna, Sevilla, Solórzano,
Sotomayor, Suárez, Tafoya, Talavera, Tamez, Tavares, Tavera, Tirado, Toscano, Uresti,
Urquiza, Valdés, Valdovinos, Vanegas, Velarde, Venegas, Verdugo, Vergara, Villagómez,
Villalpando, Villaseñor, Villela, Yépez, Zaragoza, Zermeño, Zubieta
""")
# Compound surnames, written as one.
COMPOUND_SURNAMES = _words("""
Ponce de León, Montes de Oca, Díaz de León, Pérez de León, Fernández de Lara, Ruiz de Chávez,
Gómez de la Torre, Sánchez de la Barquera, García de Alba, Martínez de Castro, López de Lara,
Núñez de Cáceres, Vázquez de Mercado
""")
# Immigrant communities: rare surnames.
RARE_SURNAMES = _words("""
Friesen, Wiebe, Peters, Klassen, Fehr, Penner, Dyck, Enns, Harder, Thiessen, Giesbrecht,
Loewen, Neufeld, Bergen, Wall, Rempel, Slim, Haddad, Kuri, Nader, Chedraui, Karam, Abud,
Jalife, Helú, Achar, Sefchovich, Chong, Wong, Chang, Lee, Ley, Fong, Chiu, Lau, Pozos, Bortoni,
Zambrano, Mazzocco, Cavazos, Tenconi, Brambila, Tomasini, Crocker, Dupont, Lemaire, Rabelo,
Mathieu, Remus, Fournier, Berlanga, Kuhn, Schmidt, Hoffmann, Wagner, Zimmermann
""")

# José leads compound names and is drawn as such (see AFTER_JOSE), not here.
MALE = _words("""
Juan, Francisco, Jesús, Antonio, Pedro, Miguel, Luis, Manuel, Alejandro, Jorge, Carlos,
Roberto, Fernando, Ricardo, Javier, Eduardo, Rafael, Daniel, Martín, Mario, Arturo, Sergio,
Raúl, Salvador, Enrique, Alberto, David, Víctor, Héctor, Gerardo, Guillermo, Óscar, Ángel,
Ramón, Alfredo, Andrés, Jaime, Pablo, Rubén, Armando, Gabriel, Ignacio, Marco Antonio, Julio,
Adrián, Hugo, Gustavo, Felipe, Alfonso, Ernesto, Rodolfo, Agustín, Cristian, Diego, Omar, Iván,
Édgar, Érick, Brayan, Kevin, Jonathan, Alexis, Uriel, Isaac, Abraham, Saúl, Israel, Joel,
Efraín, Moisés, Rogelio, Lorenzo, Santiago, Tomás, Emilio, Leonardo, Domingo, Nicolás, Gaspar
""")
FEMALE = _words("""
Guadalupe, Juana, Margarita, Francisca, Rosa, Verónica, Josefina, Patricia, Leticia, Elizabeth,
Teresa, Gabriela, Alejandra, Martha, Silvia, Adriana, Yolanda, Araceli, Ana, Claudia, Laura,
Sandra, Norma, Alicia, Isabel, Carmen, Antonia, Lucía, Mónica, Elena, Maribel, Beatriz, Rocío,
Irma, Esperanza, Cecilia, Karla, Daniela, Brenda, Karen, Jessica, Fernanda, Andrea, Diana,
Paola, Mariana, Valeria, Ximena, Itzel, Nayeli, Yesenia, Lizbeth, Dulce, Liliana, Angélica,
Reyna, Catalina, Dolores, Concepción, Socorro, Petra, Florentina
""")
# Names that dominate in indigenous communities of Chiapas and Oaxaca.
INDIGENOUS_MALE = _words("""
Juan, Pedro, Manuel, Sebastián, Mariano, Domingo, Pascual, Lorenzo, Nicolás, Agustín, Marcos,
Miguel, Francisco, Andrés, Alonso, Diego, Salvador, Tomás, Cristóbal, Gaspar, Mateo, Santiago
""")
INDIGENOUS_FEMALE = _words("""
María, Juana, Petrona, Micaela, Catarina, Rosa, Manuela, Pascuala, Antonia, Margarita,
Sebastiana, Magdalena, Dominga, Lucía, Verónica, Tomasa, Candelaria, Marcela, Agustina
""")
# What follows María / José in a compound name.
AFTER_MARIA = _words("""
Guadalupe, de Jesús, del Carmen, de los Ángeles, Elena, Isabel, Teresa, Luisa, Fernanda,
de la Luz, Concepción, Dolores, Cristina, Eugenia, del Rosario, Magdalena, José, Esther,
Alejandra, Asunción, Félix, del Socorro, Inés, Victoria
""")
AFTER_JOSE = _words("""
Luis, Antonio, Manuel, Alberto, Guadalupe, de Jesús, Ángel, Juan, Alfredo, Francisco, Carlos,
Eduardo, Refugio, Cruz, Ramón, Armando, Rafael, Alejandro, Martín, Trinidad
""")
SECOND_MALE = _words("""
Carlos, Manuel, Antonio, Luis, Alberto, Francisco, Javier, Ángel, José, Pablo, Daniel, Miguel,
Alejandro, Eduardo, Arturo, Enrique, Gabriel, Ramón, Jesús, Alfonso, Emmanuel, Ignacio
""")
SECOND_FEMALE = _words("""
Laura, Elena, Isabel, Patricia, Alejandra, Karen, Guadalupe, Fernanda, Carmen, María, Teresa,
Angélica, Lizbeth, Yazmín, Itzel, Estela, Beatriz, Cristina, Leticia, Edith, Ivonne, Anahí
""")

HIPOCORISTICOS: dict[str, tuple[str, ...]] = {
    "José": ("Pepe", "Chepe", "Cheto"), "Jesús": ("Chucho", "Chuy", "Chuchín"),
    "Francisco": ("Pancho", "Paco", "Chico", "Panchito"), "Guadalupe": ("Lupe", "Lupita", "Pita"),
    "Ignacio": ("Nacho",), "Antonio": ("Toño", "Tony"), "Manuel": ("Manolo", "Manolín"),
    "Rosario": ("Chayo",), "Concepción": ("Conchis", "Chonita"), "Refugio": ("Cuca", "Cuco"),
    "Dolores": ("Lola", "Loli"), "Isabel": ("Chabela",), "Salvador": ("Chava", "Chavita"),
    "Santiago": ("Chago",), "Eduardo": ("Lalo",), "Guillermo": ("Memo",),
    "Roberto": ("Beto",), "Alberto": ("Beto",), "Ernesto": ("Neto",), "Enrique": ("Kike",),
    "Rodolfo": ("Rudy", "Fito"), "Gregorio": ("Goyo",), "Bartolomé": ("Bartolo",),
    "Nicolás": ("Nico",), "Margarita": ("Mago", "Margara"), "Micaela": ("Mica",),
    "Catarina": ("Cata",), "Teresa": ("Tere",), "Patricia": ("Paty", "Pati"),
    "Alejandro": ("Alex",), "Alejandra": ("Ale",), "Socorro": ("Coco",), "Cristian": ("Cris",),
    "Domingo": ("Mingo",), "Pascual": ("Pascualito",), "Agustín": ("Tino",),
    "Sebastián": ("Chano",), "Lorenzo": ("Lencho",), "Tomás": ("Tomasito",),
}
# Diminutives the family uses (Juan -> Juanito): the ending is rule, the stem is the name.
DIMINUTIVE_OK = _words("""
Juan, Pedro, Luis, Miguel, Carlos, Pablo, Rosa, Juana, Ana, Carmen, Pascual, Daniel, Manuel,
Tomás, Petra, Lucía, Elena, Marcos, Diego, Mario
""")

APODOS = _words("""
El Güero, El Flaco, El Negro, El Gordo, El Chino, El Chaparro, El Moreno, El Pelón, El Cholo,
El Tigre, El Gallo, El Pájaro, El Chivo, El Burro, El Cuervo, El Indio, El Costeño, El Oaxaco,
El Chilango, El Norteño, El Catracho, El Guanaco, El Chapín, El Veneco, El Cubano, El Haitiano,
El Negrito, El Pecas, El Calaca, El Mosco, El Cuate, El Carnal, El Sapo, El Perro
""")
APODOS_FEMALE = _words("""
La Güera, La Flaca, La Negra, La Gorda, La China, La Chaparra, La Morena, La Pecas, La Catracha
""")

# Regional surname pools: (surnames, share of surnames drawn from them).
MAYA = _words("""
Pech, Chi, Canché, Uc, Dzib, May, Poot, Ek, Chan, Can, Tun, Yam, Kú, Kantún, Chablé, Balam,
Cauich, Euán, Huchim, Noh, Pool, Tzuc, Couoh, Caamal, Dzul, Chuc, Mukul, Chel, Puc, Moo, Ake,
Itzá, Cob, Tuz, Xix, Koh, Ay, Kuk
""")
NAHUA = _words("""
Cuamatzi, Tzompantzi, Xicohténcatl, Tlapale, Cuautle, Tecuapetla, Temoltzin, Zempoalteca,
Tlatelpa, Coyotl, Xochicale, Cuapio, Texis, Tepoz, Tototzintle, Ixtlahuac, Tlaxcalteca,
Cuaxiloa, Tecpoyotl
""")
ZAPOTEC_MIXTEC = _words("""
Santiago, Bautista, Vásquez, Luis, Juan, Pascual, Lucas, Gaspar, Domingo, Marcos, Felipe,
Mateo, Pablo, Tomás, Vicente, Nicolás, Martín, Sebastián, Andrés, Jacinto, Matus, Toledo,
Cartas, Regalado, Zárate, Sosa, Carrasco, Guzmán, Velasco, Quero, Ambrosio, Feria, Celaya
""")
TZOTZIL_TZELTAL = _words("""
Gómez, López, Pérez, Hernández, Díaz, Méndez, Jiménez, Sántiz, Girón, Patishtán, Intzín,
Collazo, Heredia, Cruz, Vázquez, Álvarez, Gutiérrez, Ruiz, Moreno, Núñez, Entzín, Tzoc, Ton
""")

# Migrants: (male given, female given, surnames, paternal only?).
CENTRAL_AMERICA = (
    _words("""Kevin, Wilmer, Elvin, Erick, Marvin, Wilson, Denis, Nelson, Edwin, Melvin, Darwin,
    Brayan, Yeison, Jefferson, Dany, Elmer, Cristhian, Santos, Selvin, Walter, Olvin, Ever,
    Josué, Noé, Héctor, Juan Ramón, José Adán, Óscar Armando, Carlos Roberto, Luis Alonso"""),
    _words("""Yoselin, Dunia, Glenda, Wendy, Keyla, Dilcia, Sindy, Ingrid, Heidy, Lesly, Delmy,
    Marleny, Yessenia, Kenia, Fany, Sonia Maribel, Reina Isabel, Olga Marina, Iris Yamileth"""),
    _words("""Hernández, López, Martínez, Pérez, Rodríguez, García, Flores, Cruz, Reyes, Mejía,
    Ramos, Castillo, Orellana, Alvarado, Zelaya, Pineda, Amaya, Girón, Portillo, Cáceres,
    Velásquez, Maradiaga, Funes, Argueta, Urbina, Osorto, Bonilla, Murillo, Lainez, Canales,
    Interiano, Quintanilla, Ixcoy, Tzoc, Coj, Chumil, Xicará, Ajanel, Caal, Tiul, Pop, Choc,
    Sical, Tum, Ixchop"""),
    False,
)
HAITI = (
    _words("""Jean, Jean Robert, Jean Claude, Wilner, Fritznel, Wisly, Mackenson, Jameson,
    Pierre, Frantz, Ronald, Jean Marc, Evens, Wilson, Ricardo, Stevenson"""),
    _words("""Marie, Wideline, Roselène, Nadège, Dieula, Islande, Mirlande, Guerline, Fabienne,
    Marie Ange, Nathalie, Rose Mireille"""),
    _words("""Jean, Pierre, Joseph, Louis, Jean-Baptiste, Saint-Louis, Charles, Paul, Désir,
    Fils-Aimé, Dorvil, Augustin, Étienne, Michel, Dieudonné, Alexis, Bazile, Théodore,
    Saint-Fleur, Noël"""),
    True,
)
SOUTH_AMERICA = (
    _words("""Yorbis, Yeferson, Deivis, Jhoan, Anyelo, Keiber, Wuilmer, Yunior, Yoandri, Yosvany,
    Dayron, Jhon Fredy, Brayan Steven, Luis Miguel, Jhonatan"""),
    _words("""Yusmary, Génesis, Oriana, Yoselin, Yaimara, Yudelkis, Leidy, Yuliana, Daniela,
    Mayerli, Yurani"""),
    _words("""Rodríguez, González, Pérez, Hernández, Rivas, Blanco, Colmenares, Bracho, Briceño,
    Villalobos, Urdaneta, Pacheco, Mendoza, Rojas, Díaz, Quiñónez, Cedeño, Zambrano, Mosquera,
    Valencia, Cuero, Castaño"""),
    False,
)
AFRICA = (
    _words("""Mamadou, Ibrahima, Moussa, Abdoulaye, Ousmane, Amadou, Samuel, Emmanuel,
    Jean Paul, Christian, Boris, Cheikh"""),
    _words("""Aminata, Fatoumata, Mariama, Awa, Aïssatou, Grace, Esther, Brenda"""),
    _words("""Diallo, Bah, Barry, Sow, Diop, Ndiaye, Fall, Camara, Touré, Traoré, Ngono, Mbarga,
    Tchoumi, Fotso, Nkomo, Eto'o"""),
    True,
)
SOUTH_ASIA = (
    _words("""Gurpreet, Harpreet, Manpreet, Jaskaran, Rajesh, Sunil, Amit, Vikram, Arjun"""),
    _words("""Harpreet, Simran, Priya, Pooja"""),
    _words("""Singh, Kaur, Kumar, Sharma, Patel, Gill, Sandhu, Sidhu"""),
    True,
)
