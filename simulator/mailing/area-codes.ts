import { DDD_UF, type Ddd, isDdd, type Uf } from '../../contract/mailing.ts';

export { DDD_UF, type Ddd, isDdd };

/**
 * A few real cities of each DDD's area (each one in the DDD's UF), the first being the area's main city.
 * Samples, not the full municipality list: enough for a mailing whose city, state and phone agree.
 */
const CITIES: Readonly<Record<Ddd, readonly string[]>> = {
  '11': [
    'São Paulo',
    'Guarulhos',
    'Osasco',
    'Santo André',
    'São Bernardo do Campo',
    'Mogi das Cruzes',
    'Jundiaí',
    'Barueri',
    'Diadema',
    'Carapicuíba',
  ],
  '12': ['São José dos Campos', 'Taubaté', 'Jacareí', 'Guaratinguetá', 'Caraguatatuba', 'Pindamonhangaba'],
  '13': ['Santos', 'São Vicente', 'Praia Grande', 'Guarujá', 'Cubatão', 'Registro', 'Itanhaém'],
  '14': ['Bauru', 'Marília', 'Jaú', 'Botucatu', 'Ourinhos', 'Lins', 'Avaré'],
  '15': ['Sorocaba', 'Votorantim', 'Itapetininga', 'Tatuí', 'Itapeva', 'Boituva'],
  '16': ['Ribeirão Preto', 'Araraquara', 'São Carlos', 'Franca', 'Sertãozinho', 'Jaboticabal'],
  '17': ['São José do Rio Preto', 'Catanduva', 'Barretos', 'Votuporanga', 'Fernandópolis', 'Mirassol'],
  '18': ['Presidente Prudente', 'Araçatuba', 'Assis', 'Birigui', 'Andradina', 'Dracena'],
  '19': ['Campinas', 'Piracicaba', 'Limeira', 'Americana', 'Sumaré', 'Rio Claro', 'Indaiatuba', 'Hortolândia'],
  '21': [
    'Rio de Janeiro',
    'Niterói',
    'São Gonçalo',
    'Duque de Caxias',
    'Nova Iguaçu',
    'Belford Roxo',
    'São João de Meriti',
    'Teresópolis',
  ],
  '22': ['Campos dos Goytacazes', 'Macaé', 'Cabo Frio', 'Nova Friburgo', 'Itaperuna', 'Araruama'],
  '24': ['Volta Redonda', 'Petrópolis', 'Barra Mansa', 'Resende', 'Angra dos Reis', 'Três Rios'],
  '27': ['Vitória', 'Vila Velha', 'Serra', 'Cariacica', 'Linhares', 'Colatina', 'São Mateus', 'Guarapari'],
  '28': ['Cachoeiro de Itapemirim', 'Alegre', 'Castelo', 'Marataízes', 'Itapemirim'],
  '31': ['Belo Horizonte', 'Contagem', 'Betim', 'Ribeirão das Neves', 'Santa Luzia', 'Sete Lagoas', 'Ipatinga'],
  '32': ['Juiz de Fora', 'Barbacena', 'Muriaé', 'Ubá', 'São João del-Rei', 'Cataguases'],
  '33': ['Governador Valadares', 'Teófilo Otoni', 'Caratinga', 'Manhuaçu', 'Aimorés'],
  '34': ['Uberlândia', 'Uberaba', 'Araguari', 'Patos de Minas', 'Ituiutaba', 'Araxá'],
  '35': ['Poços de Caldas', 'Pouso Alegre', 'Varginha', 'Lavras', 'Itajubá', 'Passos'],
  '37': ['Divinópolis', 'Itaúna', 'Formiga', 'Pará de Minas', 'Bom Despacho'],
  '38': ['Montes Claros', 'Januária', 'Paracatu', 'Unaí', 'Pirapora', 'Janaúba'],
  '41': ['Curitiba', 'São José dos Pinhais', 'Colombo', 'Araucária', 'Paranaguá', 'Pinhais'],
  '42': ['Ponta Grossa', 'Guarapuava', 'Irati', 'Castro', 'União da Vitória', 'Telêmaco Borba'],
  '43': ['Londrina', 'Apucarana', 'Arapongas', 'Cambé', 'Rolândia', 'Cornélio Procópio'],
  '44': ['Maringá', 'Umuarama', 'Campo Mourão', 'Paranavaí', 'Cianorte', 'Sarandi'],
  '45': ['Cascavel', 'Foz do Iguaçu', 'Toledo', 'Marechal Cândido Rondon', 'Medianeira'],
  '46': ['Francisco Beltrão', 'Pato Branco', 'Dois Vizinhos', 'Palmas'],
  '47': ['Joinville', 'Blumenau', 'Itajaí', 'Jaraguá do Sul', 'Balneário Camboriú', 'Brusque'],
  '48': ['Florianópolis', 'São José', 'Palhoça', 'Criciúma', 'Tubarão', 'Laguna'],
  '49': ['Chapecó', 'Lages', 'Caçador', 'Concórdia', 'Joaçaba', 'Videira'],
  '51': ['Porto Alegre', 'Canoas', 'Gravataí', 'Novo Hamburgo', 'São Leopoldo', 'Viamão', 'Santa Cruz do Sul'],
  '53': ['Pelotas', 'Rio Grande', 'Bagé', 'Jaguarão', 'Canguçu', 'Santa Vitória do Palmar'],
  '54': ['Caxias do Sul', 'Passo Fundo', 'Bento Gonçalves', 'Erechim', 'Farroupilha', 'Vacaria'],
  '55': ['Santa Maria', 'Uruguaiana', 'Santo Ângelo', 'Ijuí', 'Alegrete', 'Santa Rosa'],
  '61': ['Brasília', 'Ceilândia', 'Taguatinga', 'Samambaia', 'Gama', 'Planaltina', 'Sobradinho'],
  '62': ['Goiânia', 'Aparecida de Goiânia', 'Anápolis', 'Trindade', 'Senador Canedo', 'Goianésia'],
  '63': ['Palmas', 'Araguaína', 'Gurupi', 'Porto Nacional', 'Paraíso do Tocantins'],
  '64': ['Rio Verde', 'Itumbiara', 'Jataí', 'Catalão', 'Caldas Novas', 'Mineiros'],
  '65': ['Cuiabá', 'Várzea Grande', 'Cáceres', 'Tangará da Serra', 'Barra do Bugres'],
  '66': ['Rondonópolis', 'Sinop', 'Primavera do Leste', 'Barra do Garças', 'Sorriso', 'Lucas do Rio Verde'],
  '67': ['Campo Grande', 'Dourados', 'Três Lagoas', 'Corumbá', 'Ponta Porã', 'Naviraí'],
  '68': ['Rio Branco', 'Cruzeiro do Sul', 'Sena Madureira', 'Tarauacá', 'Feijó'],
  '69': ['Porto Velho', 'Ji-Paraná', 'Ariquemes', 'Vilhena', 'Cacoal', 'Rolim de Moura'],
  '71': ['Salvador', 'Lauro de Freitas', 'Camaçari', 'Simões Filho', 'Candeias'],
  '73': ['Ilhéus', 'Itabuna', 'Porto Seguro', 'Eunápolis', 'Teixeira de Freitas', 'Jequié'],
  '74': ['Juazeiro', 'Irecê', 'Senhor do Bonfim', 'Jacobina', 'Xique-Xique'],
  '75': ['Feira de Santana', 'Alagoinhas', 'Santo Antônio de Jesus', 'Valença', 'Paulo Afonso', 'Cruz das Almas'],
  '77': ['Vitória da Conquista', 'Barreiras', 'Guanambi', 'Brumado', 'Luís Eduardo Magalhães', 'Bom Jesus da Lapa'],
  '79': ['Aracaju', 'Nossa Senhora do Socorro', 'Lagarto', 'Itabaiana', 'Estância'],
  '81': [
    'Recife',
    'Jaboatão dos Guararapes',
    'Olinda',
    'Paulista',
    'Caruaru',
    'Cabo de Santo Agostinho',
    'Vitória de Santo Antão',
  ],
  '82': ['Maceió', 'Arapiraca', 'Rio Largo', 'Palmeira dos Índios', 'Penedo'],
  '83': ['João Pessoa', 'Campina Grande', 'Santa Rita', 'Patos', 'Bayeux', 'Sousa'],
  '84': ['Natal', 'Mossoró', 'Parnamirim', 'São Gonçalo do Amarante', 'Caicó'],
  '85': ['Fortaleza', 'Caucaia', 'Maracanaú', 'Maranguape', 'Aquiraz', 'Pacatuba'],
  '86': ['Teresina', 'Parnaíba', 'Piripiri', 'Campo Maior', 'Barras'],
  '87': ['Petrolina', 'Garanhuns', 'Arcoverde', 'Serra Talhada', 'Salgueiro'],
  '88': ['Juazeiro do Norte', 'Sobral', 'Crato', 'Iguatu', 'Quixadá', 'Itapipoca'],
  '89': ['Picos', 'Floriano', 'Oeiras', 'São Raimundo Nonato', 'Bom Jesus'],
  '91': ['Belém', 'Ananindeua', 'Castanhal', 'Marituba', 'Abaetetuba', 'Bragança'],
  '92': ['Manaus', 'Itacoatiara', 'Manacapuru', 'Parintins', 'Presidente Figueiredo'],
  '93': ['Santarém', 'Altamira', 'Itaituba', 'Óbidos', 'Oriximiná'],
  '94': ['Marabá', 'Parauapebas', 'Redenção', 'Tucuruí', 'Canaã dos Carajás', 'Xinguara'],
  '95': ['Boa Vista', 'Rorainópolis', 'Caracaraí', 'Pacaraima'],
  '96': ['Macapá', 'Santana', 'Laranjal do Jari', 'Oiapoque'],
  '97': ['Tefé', 'Coari', 'Tabatinga', 'Lábrea', 'São Gabriel da Cachoeira', 'Humaitá'],
  '98': ['São Luís', 'São José de Ribamar', 'Paço do Lumiar', 'Raposa', 'Chapadinha', 'Pinheiro'],
  '99': ['Imperatriz', 'Caxias', 'Codó', 'Timon', 'Bacabal', 'Balsas'],
};

export interface AreaCode {
  readonly ddd: Ddd;
  readonly uf: Uf;
  readonly cities: readonly string[];
}

/** All 67 DDDs in numeric order. */
export const AREA_CODES: readonly AreaCode[] = (Object.keys(DDD_UF) as Ddd[])
  .sort()
  .map((ddd) => ({ ddd, uf: DDD_UF[ddd], cities: CITIES[ddd] }));

export const areaCode = (ddd: Ddd): AreaCode => ({ ddd, uf: DDD_UF[ddd], cities: CITIES[ddd] });

/** The DDDs of a UF ('SP' → 11…19). */
export const dddsOf = (uf: Uf): Ddd[] => AREA_CODES.filter((a) => a.uf === uf).map((a) => a.ddd);
