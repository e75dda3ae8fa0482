"""Name tables of generator B (national population, prosecutors and police).

Sources and assumptions (details in README.md):

* Surnames: rank order of the most frequent surnames in Mexico as published by
  Forebears ("Most common last names in Mexico", built from national registries,
  about 122 million people) and repeated in INEGI/RENAPO-based press summaries.
  Counts are thousands of holders, rounded and approximate (Hernández 1 in 22,
  the ten most frequent about a quarter of the population); ranks 41+ follow a
  power law (count ∝ rank^-1.3) from the last stated count. The people the
  listed surnames leave over (about a quarter) carry rare surnames, generated
  from real morphemes as Spanish surnames are formed: Basque compounds
  (Echeverría = etxe + berri + a, Zubiaga, Iturralde) and Castilian toponymic
  compounds (Villaseñor, Montenegro, Valverde), each about 1 in 5,000.
* Given names: rank order of INEGI's and RENAPO's published most frequent
  names, by cohort (names fashionable before and after about 1988); weights
  follow Zipf's law over rank (s = 1), as given-name frequencies roughly do.
* Hipocorísticos and apodos: common Mexican usage (RAE/Academia Mexicana de la
  Lengua notes on hipocorísticos, Diccionario de mexicanismos).
* Indigenous surnames: Maya (Yucatán peninsula), Nahua (Puebla, Tlaxcala,
  Veracruz, Guerrero), Oaxaca (saint-name surnames common in Zapotec and Mixtec
  communities), Chiapas highlands (Tzotzil/Tzeltal); with the variant spellings
  that Spanish-speaking clerks produce (tz/ts, k/c, x/sh, doubled vowels).
* Central American and other migrants' names: common names in Honduras,
  Guatemala and El Salvador (civil-registry rankings reported in the press),
  Haitian, Venezuelan and Cuban names, with the spellings Mexican clerks use.
"""

from __future__ import annotations


def _counted(text: str) -> list[tuple[str, float]]:
    out = []
    for line in text.strip().splitlines():
        name, count = line.rsplit(" ", 1)
        out.append((name.strip(), float(count)))
    return out


def _listed(text: str) -> list[str]:
    return [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]


# Thousands of holders, approximate (see module docstring).
SURNAMES_TOP = _counted("""
Hernández 5500
García 4130
Martínez 3890
López 3400
González 3300
Rodríguez 2600
Pérez 2460
Sánchez 2320
Ramírez 2260
Cruz 1730
Flores 1660
Gómez 1500
Morales 1200
Vázquez 1150
Reyes 1120
Jiménez 1040
Torres 1020
Díaz 1000
Gutiérrez 990
Ruiz 930
Mendoza 920
Aguilar 900
Ortiz 850
Moreno 820
Castillo 800
Romero 760
Álvarez 740
Méndez 720
Chávez 710
Rivera 700
Juárez 680
Ramos 650
Domínguez 630
Herrera 620
Medina 610
Castro 600
Vargas 590
Guzmán 560
Velázquez 550
Muñoz 540
""")

# Ranks 41 and after, in (approximate) rank order.
SURNAMES_TAIL = _listed("""
Rojas, Salazar, De la Cruz, Contreras, Luna, Ortega, Santiago, Guerrero, Estrada, Bautista,
Cortés, Soto, Alvarado, Espinoza, Lara, Ávila, Ríos, Cervantes, Silva, Delgado, Vega,
Márquez, Sandoval, Fernández, León, Carrillo, Mejía, Solís, Núñez, Rosas, Valdez, Ibarra,
Campos, Santos, Camacho, Navarro, Peña, Maldonado, Rosales, Acosta, Miranda, Trejo, Valencia,
Nava, Pacheco, Huerta, Padilla, Molina, Cabrera, Robles, Cárdenas, Fuentes, Salinas, Zúñiga,
Aguirre, Ayala, Orozco, Escobar, Montes, Mora, Benítez, Villanueva, Ponce, Arellano, Olvera,
Tapia, Zamora, Bravo, Barrera, Galván, Velasco, Jaimes, Rubio, Marín, Sosa, Ochoa, Franco,
Meza, Cano, Villegas, Lozano, Vera, Pineda, Gallegos, Bernal, Hidalgo, Rangel, Figueroa,
Osorio, Barrios, Serrano, Esquivel, Morán, Beltrán, Lugo, Aguilera, Montoya, Duarte, Cuevas,
Zavala, Arias, Palacios, Quintero, Téllez, Cisneros, Salas, Sierra, Pacheco, Tovar, Andrade,
Blanco, Calderón, Uribe, Arroyo, Lucas, Trujillo, Valenzuela, Lozada, Corona, Villa, Rosario,
Galindo, Olivares, Meléndez, Nieto, Garza, Rivas, Caballero, Macías, Villarreal, Quiroz,
Cordero, Hurtado, Leyva, Granados, Bonilla, Carmona, Mata, Alonso, Paredes, Vidal, Zepeda,
Magaña, Luis, Ventura, Bello, Toledo, Gil, Reséndiz, Carbajal, Guevara, Maya, Antonio,
Diego, Benavides, Araujo, Delgadillo, Solano, Cano, Abarca, Zárate, Lima, Rocha, Mercado,
Ocampo, Vallejo, Barajas, Rentería, Prieto, Tello, Del Ángel, Garduño, Palma, Arriaga,
Vélez, Jácome, Aranda, Estrella, Elizondo, Bustos, Fajardo, Saldaña, Murillo, Becerra, Olmos,
Aquino, Ceballos, Villalobos, Gallardo, Manzano, Peralta, Rincón, Cházaro, Borja, Montiel,
Lorenzo, Armenta, Escamilla, Ledesma, Pedraza, Tinoco, Nolasco, Valadez, Porras, Varela,
Santana, Quezada, Rosado, Vences, Loera, Godínez, Huerta, Alcántara, Anaya, Barragán, Ordaz,
Ojeda, Soriano, Gamboa, Villalba, Baltazar, Cabello, Castañeda, Mondragón, Rueda, Sotelo,
Zapata, Hinojosa, Paz, Gálvez, Mireles, Coronado, Segura, Curiel, Carranza, Parra, Lira,
Guillén, Pantoja, Arreola, Murguía, Cárdenas, Quintana, Ledezma, Cedillo, Dávila, Bermúdez,
Tejeda, Alfaro, Villaseñor, Quiñones, Monroy, Argüello, Saucedo, Gaona, Luévano, Tamayo,
Bañuelos, Muro, Enríquez, Angulo, Sepúlveda, Valle, Ulloa, Gaytán, Mares, Navarrete, Mojica,
Cuéllar, Ferrer, Malagón, Islas, Castrejón, Zavaleta, Pulido, Briseño, Almaraz, Mondaca,
Armendáriz, Cadena, Bojórquez, Félix, Urías, Gastélum, Valdivia, Ahumada, Zazueta, Beltrán,
Chaparro, Holguín, Loya, Terrazas, Ontiveros, Amaya, Lerma, Arvizu, Encinas, Ibarra, Moctezuma,
Cuauhtle, Tenorio, Ixta, Nájera, Piña, Ocaña, Yáñez, Olguín, Montaño, Treviño, Cantú, Leal,
Garza, Salinas, Villarreal, Elizalde, Benavides, Galarza, Medrano, Rangel, Saldívar
""")

# Rare surnames: real Basque morphemes joined as Basque surnames are formed;
# many of the results are real surnames in Mexico (Echeverría, Zubiaga, Iturralde).
BASQUE_HEADS = _listed("""
Eche, Goico, Zubi, Iturri, Larra, Urru, Arri, Olea, Elorri, Aran, Ibar, Mendi, Bengo, Azpi,
Garai, Goiti, Ugal, Zaba, Lizar, Agui, Urqui, Ola, Altu, Gorosti, Ormae, Ansu, Zarra, Beris,
Errazu, Gaztel, Lasa, Oyar, Sarasu, Zumal, Uria, Amuna, Arte, Berri, Ezcu, Iba, Lecu
""")
BASQUE_TAILS = _listed("""
aga, eta, chea, zábal, rría, ola, tegui, ondo, buru, alde, verría, rán, mendi, zar, guren,
bide, ain, ibar, arte, iturri
""")
TOPONYMIC_HEADS = _listed("""
Villa, Monte, Val, Torre, Fuente, Casa, Mira, Peña, Puerto, Ribera, Alta, Bella, Buena,
Santa, Sala, Castel, Campo, Roca, Sierra, Vega
""")
TOPONYMIC_TAILS = _listed("""
lobos, nueva, señor, grana, fuerte, lpando, verde, mayor, negro, llano, real, flor, mar,
rica, sol, seca, blanca, hermosa, alegre, vista, montes, rostro, franca, gordo, mil
""")

# Given names by sex and cohort, most frequent first (compound forms are units).
GIVEN_MALE_OLD = _listed("""
José, Juan, José Luis, Francisco, Jesús, Antonio, Miguel Ángel, Pedro, Manuel, Jorge,
Alejandro, Roberto, Ricardo, Carlos, Fernando, Javier, Rafael, Martín, Arturo, Raúl,
Sergio, Salvador, Mario, José Antonio, Juan Carlos, Eduardo, Enrique, Alberto, Héctor,
Ramón, David, Víctor, Gerardo, Guillermo, Alfredo, Óscar, Rubén, Ignacio, Jaime, Daniel,
Armando, Luis, Gabriel, Marco Antonio, Francisco Javier, Juan Manuel, José Guadalupe,
Rodolfo, Ernesto, Pablo, Felipe, Hugo, Gustavo, Alfonso, Agustín, Joel, Julio, Margarito,
Andrés, Ismael, Marcos, Adrián, Ángel, Israel, Abel, Rogelio, Humberto, Gilberto, Lorenzo,
Tomás, Santiago, Benjamín, Isidro, Saúl, Moisés, Leonardo, Teodoro, Gregorio, Reyes,
Juventino, Cirilo, Eusebio, Fidel, Efraín, Anastasio, Aurelio, Refugio, Crescencio, Guadalupe
""")
GIVEN_MALE_YOUNG = _listed("""
Luis Ángel, José Luis, Juan Carlos, Miguel Ángel, Jesús, Jorge, Alejandro, Luis Fernando,
Carlos, Brayan, Kevin, Jonathan, Cristian, Diego, Alexis, Daniel, Eduardo, Ángel, Óscar,
Juan Pablo, José Manuel, Francisco, Iván, Omar, Édgar, Érick, Emmanuel, Uriel, Alan,
Jesús Alberto, Abraham, Osvaldo, Josué, Isaac, Ulises, Aldo, Adrián, Irving, Jair, Axel,
Yahir, Sebastián, Emiliano, Santiago, Leonardo, Ricardo, David, Christopher, Edwin, Fernando,
Jaime, Víctor Manuel, Juan José, Héctor, Sergio, Raúl, Marco Antonio, Bryan, Ángel Gabriel,
Antonio, Manuel, Rafael, Erik, Israel, Jovani, Gerardo, Julio César, Hugo, Mario, Saúl
""")
GIVEN_FEMALE_OLD = _listed("""
María Guadalupe, María, Juana, Guadalupe, Margarita, María de Jesús, Verónica, Rosa María,
Leticia, Patricia, Elizabeth, Teresa, Silvia, Martha, Yolanda, María del Carmen, Alicia,
Francisca, Josefina, Gabriela, Adriana, Araceli, Claudia, Sandra, Norma, Laura, Ana María,
María Elena, Maribel, Rosa, Alejandra, Mónica, Lucía, Isabel, Carmen, Antonia, Elena,
María de los Ángeles, María Isabel, Irma, Beatriz, Rocío, Lorena, Susana, Angélica, Érika,
Liliana, Graciela, Dolores, Concepción, Socorro, Consuelo, Refugio, Soledad, Luz María,
Blanca, Esperanza, Cecilia, María Teresa, Ana Laura, María de la Luz, Ofelia, Catalina
""")
GIVEN_FEMALE_YOUNG = _listed("""
Guadalupe, María Fernanda, Daniela, Karen, Brenda, Jessica, Andrea, Valeria, Ximena,
Diana Laura, Fernanda, Alejandra, Karla, Paola, Itzel, Nayeli, Mariana, Yesenia, Jazmín,
Alondra, Vanessa, Dulce María, Kimberly, Estefanía, Montserrat, Abigail, Citlali, Yareli,
Ana Karen, Diana, Gabriela, Mayra, Nancy, Viridiana, Berenice, Areli, Fátima, María José,
Camila, Sofía, Evelyn, Joselin, Lizbeth, Monserrat, Elizabeth, Leslie, Ashley, Marisol,
Arely, Cinthia, Miriam, Wendy, Zulema, Yuliana, Sarahí, Anahí, Natalia, Carolina
""")
SECOND_MALE = _listed("""
Luis, Antonio, Manuel, Alberto, Ángel, Carlos, Alejandro, Eduardo, Javier, Guadalupe,
de Jesús, Fernando, Armando, Enrique, Ignacio, Arturo, Daniel, Francisco, Gabriel, Alfredo,
Adrián, Rafael, Martín, Ramón, Roberto, Andrés, Emilio, Gerardo, Iván, Alonso
""")
SECOND_FEMALE = _listed("""
Guadalupe, del Carmen, de Jesús, Isabel, Elena, Fernanda, de los Ángeles, Luisa, Teresa,
Alejandra, Patricia, Cristina, de la Luz, Laura, Rosario, Concepción, Angélica, Leticia,
Yolanda, Beatriz, Esther, Magdalena, Dolores, Estela, Eugenia, Victoria, Inés, Belén
""")

# Hipocorísticos: what relatives and the detainee himself say.
NICKNAMES: dict[str, list[str]] = {
    "José": ["Pepe", "Chepe", "Pepito"], "Jesús": ["Chuy", "Chucho", "Chuyito"],
    "Francisco": ["Paco", "Pancho", "Kiko"], "Guadalupe": ["Lupe", "Lupita"],
    "Eduardo": ["Lalo"], "Guillermo": ["Memo"], "Ignacio": ["Nacho"],
    "Antonio": ["Toño", "Toñito"], "Graciela": ["Chela"], "Concepción": ["Conchita", "Concha"],
    "Refugio": ["Cuca", "Cuco"], "Rosario": ["Chayo"], "Enrique": ["Quique", "Kike"],
    "Alejandro": ["Alex", "Jano"], "Roberto": ["Beto"], "Alberto": ["Beto"],
    "Humberto": ["Beto"], "Rodolfo": ["Fito"], "Ernesto": ["Neto"], "Salvador": ["Chava"],
    "Manuel": ["Manolo", "Meme"], "Alfredo": ["Fredy"], "Gregorio": ["Goyo"],
    "Dolores": ["Lola", "Lolita"], "Soledad": ["Chole"], "Socorro": ["Coco"],
    "Isabel": ["Chabela", "Chabelita"], "Margarita": ["Mago", "Magos"],
    "Josefina": ["Chepina", "Fina"], "Santiago": ["Chago"], "Teresa": ["Tere"],
    "Patricia": ["Paty"], "Leticia": ["Lety"], "Gabriela": ["Gaby"], "Alicia": ["Licha"],
    "Anastasio": ["Tacho"], "Consuelo": ["Chelo"], "Cecilia": ["Chila"], "Juan": ["Juanito"],
    "Luis": ["Güicho", "Luisito"], "Rosa": ["Rosy"], "Beatriz": ["Betty"],
    "Daniel": ["Dani"], "Gerardo": ["Jerry"], "Fernando": ["Fer"], "Fernanda": ["Fer"],
    "Javier": ["Javi"], "Miguel": ["Mike"], "Jorge": ["Coque"], "Ramón": ["Moncho"],
    "Cristian": ["Cris"], "Abraham": ["Abram"], "Jonathan": ["Jona"], "Brayan": ["Bray"],
}

# Apodos that owe nothing to the name.
APODOS_MALE = _listed("""
El Güero, El Flaco, El Negro, El Gordo, El Chino, El Chaparro, El Moreno, El Pelón, El Compa,
El Huesos, El Greñas, El Cholo, El Tigre, El Diablo, El Chapo, El Güerito, El Mudo, El Zurdo,
El Gato, El Pollo, El Ratón, El Tuerto, El Cabo, El Primo, El Chiquilín, El Borrego, El Oso
""")
APODOS_FEMALE = _listed("""
La Güera, La Flaca, La Negra, La Gorda, La China, La Chaparra, La Morena, La Chiquis, La Güerita
""")

# Indigenous and regional surnames, with the spellings clerks produce.
MAYA = _listed("""
Pech, Chi, Canché, Uc, Dzib, May, Poot, Ek, Chan, Can, Cocom, Tun, Yam, Kú, Kantún, Chablé,
Balam, Cauich, Euán, Huchim, Itzá, Noh, Pool, Tzuc, Xool, Couoh, Caamal, Dzul, Ucán, Chuc,
Cetz, Collí, Mukul, Ake, Chel, Puc, Moo, Xiu
""")
NAHUA = _listed("""
Cuamatzi, Tzompantzi, Xicohténcatl, Tlapale, Cuautle, Tecuapetla, Temoltzin, Zempoalteca,
Tlatelpa, Coyotl, Xochicale, Cuapio, Texis, Tlacuilo, Tepoz, Ixtlapale, Tototzintle,
Tecpanécatl, Hernández, Martínez, Flores, Cruz, Santiago, Bautista
""")
OAXACA = _listed("""
Santiago, Bautista, Vásquez, Luis, Juan, Pascual, Lucas, Gaspar, Domingo, Marcos, Felipe,
Mateo, Pablo, Tomás, Vicente, Nicolás, Antonio, Francisco, Diego, Martín, Sebastián, Andrés,
Jacinto, Matus, Toledo, Cartas, Regalado, Zárate, Sosa, Carrasco, Cruz, López, Martínez,
García, Ruiz, Hernández, Jiménez, Mendoza
""")
CHIAPAS = _listed("""
Gómez, López, Pérez, Hernández, Díaz, Méndez, Jiménez, Sántiz, Girón, Patishtán, Intzín,
Collazo, Heredia, Cruz, Vázquez, Álvarez, Gutiérrez, Ruiz, Moreno, Núñez
""")
# How Spanish-speaking clerks write the same indigenous name.
INDIGENOUS_VARIANTS: dict[str, list[str]] = {
    "Dzib": ["Tzib", "Dzíb", "Dsib"], "Pech": ["Pec", "Peech"], "Canché": ["Canche", "Kanché"],
    "Uc": ["Uk", "Ucc"], "Poot": ["Pot", "Poot"], "Ek": ["Ec", "Eck"], "Kú": ["Ku", "Cu"],
    "Kantún": ["Cantún", "Kantun"], "Cauich": ["Cahuich", "Kauich"], "Euán": ["Ehuan", "Euan"],
    "Couoh": ["Cohuo", "Couo"], "Caamal": ["Camal", "Caamál"], "Noh": ["No"],
    "Xool": ["Chool", "Xol"], "Huchim": ["Uchim"], "Chablé": ["Chable"], "Tzuc": ["Tsuc", "Zuc"],
    "Ucán": ["Ukan", "Ucan"], "Itzá": ["Itza", "Ytzá"], "Dzul": ["Tzul", "Dzúl"],
    "Xicohténcatl": ["Xicoténcatl", "Xicotencatl", "Shicotencatl"],
    "Tzompantzi": ["Tsompantzi", "Zompantzi"], "Cuautle": ["Cuahutle", "Kuautle"],
    "Tecuapetla": ["Tecuapetl", "Tecuapétla"], "Tototzintle": ["Tototzintli", "Tototsintle"],
    "Tecpanécatl": ["Tecpanecatl", "Tepanécatl"], "Patishtán": ["Patixtán", "Patistán"],
    "Sántiz": ["Santis", "Sántis", "Santiz"], "Intzín": ["Intzin", "Insín"],
    "Vásquez": ["Vázquez", "Vasquez"],
}

# Central American migrants.
CA_MALE = _listed("""
Kevin Alexander, Wilmer Josué, Elvin Noé, Erick Javier, Marvin Antonio, Wilson, Denis,
Nelson, Edwin, Melvin, Darwin, Brayan, Yeison, Jefferson, Dany, Elmer, Cristhian, Jonathan,
Óscar Armando, Santos, Carlos Roberto, Selvin, Walter, Olvin, Ever, José Adán, Juan Ramón,
Luis Alonso, Mario Roberto, Francisco Javier, Josué David, Héctor Manuel, Cristian Omar
""")
CA_FEMALE = _listed("""
Yoselin, Dunia, Glenda, Wendy, Keyla, Dilcia, Sindy, Ingrid, Heidy, Lesly, Sonia Maribel,
Reina Isabel, Delmy, Marleny, Yessenia, Kenia, Fany, Olga Marina, Rosa Elvira, Iris Yamileth
""")
CA_SURNAMES = _listed("""
Hernández, López, Martínez, Pérez, Rodríguez, García, Flores, Cruz, Reyes, Mejía, Ramos,
Sánchez, Castillo, Orellana, Alvarado, Zelaya, Pineda, Aguilar, Amaya, Girón, Chávez,
Portillo, Cáceres, Escobar, Velásquez, Maradiaga, Funes, Ayala, Argueta, Urbina, Osorto,
Bonilla, Paz, Murillo, Lainez, Canales, Interiano, Quintanilla, Ixcoy, Tzoc, Coj, Chumil,
Xicará, Ajanel, Caal, Tiul, Maquín, Pop, Choc, Bol
""")

# Other foreign detainees: (given names, surnames), and what clerks write for them.
HAITIAN_MALE = _listed("""
Jean Robert, Jean Claude, Wilner, Fritznel, Wisly, Mackenson, Jameson, Jean, Pierre
""")
HAITIAN_FEMALE = _listed("""
Wideline, Roselène, Marie Carmelle, Nadège, Dieula, Islande, Marie
""")
HAITIAN_SURNAMES = _listed("""
Jean, Pierre, Joseph, Louis, Jean-Baptiste, Saint-Louis, Charles, Paul, Désir, Fils-Aimé,
Dorvil, Augustin, Étienne, Michel, Dieudonné, Alexis
""")
# Venezuelan and Cuban given names.
CARIBBEAN_MALE = _listed("""
Yorbis, Yeferson, Deivis, Jhoan, Anyelo, Keiber, Wuilmer, Yunior, Yoandri, Yosvany, Dayron
""")
CARIBBEAN_FEMALE = _listed("""
Yusmary, Génesis, Oriana, Yoselin, Yaimara, Yudelkis
""")
VENEZUELAN_SURNAMES = _listed("""
Rodríguez, González, Pérez, Hernández, Rivas, Blanco, Colmenares, Bracho, Briceño,
Villalobos, Urdaneta, Pacheco, Guerrero, Mendoza, Rojas, Fernández, Díaz, Hidalgo
""")
FOREIGN_VARIANTS: dict[str, list[str]] = {
    "Jean": ["Yan", "Jan", "Jhean"], "Pierre": ["Pier", "Piere", "Pierr"],
    "Joseph": ["Josep", "Yosef", "José"], "Jean-Baptiste": ["Jean Baptiste", "Juan Bautista",
                                                          "Jeanbaptiste"],
    "Saint-Louis": ["Saint Louis", "San Luis", "Sainlouis"], "Fils-Aimé": ["Fils Aime", "Filsaime"],
    "Dieudonné": ["Dieudone", "Dieudonne"], "Désir": ["Desir", "Desire"],
    "Étienne": ["Etienne", "Etien"], "Jean Robert": ["Jean Rober", "Yan Robert"],
    "Jean Claude": ["Jean Claud", "Jeanclaude"], "Roselène": ["Roselene", "Roselin"],
    "Nadège": ["Nadege", "Nadeje"], "Marie Carmelle": ["Marie Carmel", "María Carmela"],
    "Mackenson": ["Makenson", "Mackenzon"], "Wisly": ["Wisley", "Guisly"],
    "Yeferson": ["Jefferson", "Yefferson", "Jeferson"], "Jhoan": ["Johan", "Yoan"],
    "Anyelo": ["Angelo", "Ányelo"], "Wuilmer": ["Wilmer", "Guilmer"], "Deivis": ["Davis", "Deivys"],
    "Yusmary": ["Yusmari", "Jusmary"], "Yunior": ["Junior", "Yúnior"],
    "Yosvany": ["Yosvani", "Josvany"], "Yoandri": ["Yoandry", "Joandri"],
    "Cristhian": ["Cristian", "Christian"], "Yeison": ["Jeison", "Yeyson"],
    "Jefferson": ["Yeferson", "Jeferson"], "Velásquez": ["Velázquez"], "Lainez": ["Laínez"],
}
